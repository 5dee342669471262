/**
 * A strict RFC 4180 reader (CRLF records, quoted fields with doubled quotes) for the tests, unit and end-to-end,
 * so that they read the app's CSV the way a spreadsheet would rather than trusting the writer's own idea of it.
 */
export function parseCsv(text: string): string[][] {
  const rows: string[][] = [];
  let row: string[] = [];
  let at = 0;
  for (;;) {
    let field = '';
    if (text[at] === '"') {
      at++;
      for (;;) {
        const quote = text.indexOf('"', at);
        if (quote < 0) throw new Error('unterminated quoted field');
        field += text.slice(at, quote);
        at = quote + 1;
        if (text[at] !== '"') break;
        field += '"';
        at++;
      }
    } else {
      const end = text.slice(at).search(/[,\r\n"]/);
      field = end < 0 ? text.slice(at) : text.slice(at, at + end);
      at += field.length;
    }
    row.push(field);
    if (text[at] === ',') {
      at++;
    } else if (text.startsWith('\r\n', at)) {
      rows.push(row);
      row = [];
      at += 2;
      if (at === text.length) return rows;
    } else {
      throw new Error(`unexpected ${JSON.stringify(text.slice(at, at + 10))} at ${at}`);
    }
  }
}
