/** Rewrites a safetensors header (keeping the data section) to make realistic bad files for tests. */
type Header = Record<
  string,
  { dtype: string; shape: number[]; data_offsets: [number, number] } | Record<string, string>
>;

export function editSafetensorsHeader(file: Buffer, edit: (header: Header) => void): Buffer {
  const headerLength = Number(file.readBigUInt64LE(0));
  const header = JSON.parse(file.subarray(8, 8 + headerLength).toString('utf8')) as Header;
  edit(header);
  const json = Buffer.from(JSON.stringify(header), 'utf8');
  const length = Buffer.alloc(8);
  length.writeBigUInt64LE(BigInt(json.length));
  return Buffer.concat([length, json, file.subarray(8 + headerLength)]);
}
