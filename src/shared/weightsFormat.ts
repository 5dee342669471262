/** Recognizes a weights file by its content, not its name (names lie; a .bin may be anything). */

export type WeightsFormat = 'safetensors' | 'pytorch' | 'tfjs-json' | 'tfjs-shard' | 'unknown';

export interface NamedBuffer {
  name: string;
  data: ArrayBuffer;
}

export function detectWeightsFormat(file: NamedBuffer): WeightsFormat {
  const bytes = new Uint8Array(file.data, 0, Math.min(16, file.data.byteLength));
  // Zip local-file header: torch.save's format since PyTorch 1.6.
  if (bytes[0] === 0x50 && bytes[1] === 0x4b && bytes[2] === 0x03 && bytes[3] === 0x04) return 'pytorch';
  // Pickle protocol 2+ with no zip around it: a legacy torch.save file (the reader explains what to do).
  if (bytes[0] === 0x80 && bytes[1] !== undefined && bytes[1] >= 2 && bytes[1] <= 5) return 'pytorch';
  // safetensors: u64 little-endian header length, then a JSON object. A length of 2^48 or more is garbage, but
  // in a file named .safetensors it is that format's garbage: its reader names the absurd length.
  if (
    bytes.length >= 9 &&
    bytes[8] === 0x7b &&
    ((bytes[6] === 0 && bytes[7] === 0) || /\.safetensors$/i.test(file.name))
  )
    return 'safetensors';
  const firstChar = bytes.find((b) => b !== 0x20 && b !== 0x0a && b !== 0x0d && b !== 0x09);
  if (firstChar === 0x7b && /\.json$/i.test(file.name)) return 'tfjs-json';
  if (/\.bin$/i.test(file.name) || /group\d+-shard/i.test(file.name)) return 'tfjs-shard';
  return 'unknown';
}

/** File names that the page treats as weights rather than images when dropped. */
export function looksLikeWeightsFile(name: string): boolean {
  return /\.(safetensors|pth|pt|ckpt|bin|json)$/i.test(name);
}
