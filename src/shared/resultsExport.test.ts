import fc from 'fast-check';
import { describe, expect, it } from 'vitest';

import { parseCsv } from '../testing/csv';
import { fuzzParameters } from '../testing/fuzz';
import { CSV_HEADER, type ExportRecord, toCsv, toJson } from './resultsExport';

const record = (overrides: Partial<ExportRecord> = {}): ExportRecord => ({
  file: 'cat.jpg',
  folderLabel: 'tabby',
  model: 'resnet50',
  weights: 'bundled',
  rank: 1,
  classIndex: 281,
  label: 'tabby',
  probability: 0.5,
  ms: 12.5,
  ...overrides,
});

describe('CSV export', () => {
  it('writes the header and one line per record, CRLF terminated', () => {
    const csv = toCsv([
      record(),
      record({ rank: 2, classIndex: 282, label: 'tiger cat', probability: 0.25 }),
    ]);
    expect(csv).toBe(
      `${CSV_HEADER}\r\n` +
        'cat.jpg,tabby,resnet50,bundled,1,281,tabby,0.5,12.5\r\n' +
        'cat.jpg,tabby,resnet50,bundled,2,282,tiger cat,0.25,12.5\r\n',
    );
    expect(toCsv([])).toBe(`${CSV_HEADER}\r\n`);
  });

  it('quotes fields with commas, quotes and line breaks, doubling the quotes', () => {
    const csv = toCsv([record({ file: 'a,b "c"\r\nd.jpg', folderLabel: null })]);
    expect(csv.split('\r\n')[1]).toBe('"a,b ""c""');
    expect(parseCsv(csv)[1]).toEqual([
      'a,b "c"\r\nd.jpg',
      '',
      'resnet50',
      'bundled',
      '1',
      '281',
      'tabby',
      '0.5',
      '12.5',
    ]);
  });

  it('writes numbers short but exact enough for a float32, and nothing for a non-finite one', () => {
    const line = (probability: number, ms: number) => parseCsv(toCsv([record({ probability, ms })]))[1]!;
    expect(line(Math.fround(0.1), 3).slice(7)).toEqual(['0.100000001', '3']);
    expect(line(1e-9, 0.000123456789).slice(7)).toEqual(['1e-9', '0.000123456789']);
    expect(line(NaN, Infinity).slice(7)).toEqual(['', '']);
  });

  it('defuses text a spreadsheet would run as a formula, but never a number', () => {
    const csv = toCsv([
      record({ file: '=HYPERLINK("http://x")', folderLabel: '+1', model: '-m', weights: '@w', label: '\tl' }),
      record({ file: '\rx.jpg', classIndex: 0, probability: -0, ms: -1 }),
    ]);
    const [, first, second] = parseCsv(csv);
    expect(first!.slice(0, 4)).toEqual(['\'=HYPERLINK("http://x")', "'+1", "'-m", "'@w"]);
    expect(first![6]).toBe("'\tl");
    expect(second![0]).toBe("'\rx.jpg");
    expect(second!.slice(5)).toEqual(['0', 'tabby', '0', '-1']);
  });

  it('round-trips any text and any float32 probability through a strict reader', () => {
    const text = fc.oneof(
      fc.string({ unit: 'grapheme', maxLength: 20 }),
      fc
        .array(fc.constantFrom(',', '"', '\r', '\n', '\r\n', ' ', 'é', '猫', '🐈', '=', 'a'), {
          maxLength: 12,
        })
        .map((parts) => parts.join('')),
    );
    const arbitraryRecord = fc.record({
      file: text,
      folderLabel: fc.option(text),
      model: text,
      weights: text,
      rank: fc.integer({ min: 1, max: 20 }),
      classIndex: fc.integer({ min: 0, max: 999 }),
      label: text,
      probability: fc.float({ min: 0, max: 1, noNaN: true }),
      ms: fc.double({ min: 0, max: 1e6, noNaN: true }),
    });
    const asCell = (value: string | null) =>
      value === null ? '' : /^[=+\-@\t\r]/.test(value) ? `'${value}` : value;
    fc.assert(
      fc.property(fc.array(arbitraryRecord, { maxLength: 5 }), (records) => {
        const rows = parseCsv(toCsv(records));
        expect(rows[0]!.join(',')).toBe(CSV_HEADER);
        expect(rows).toHaveLength(records.length + 1);
        records.forEach((r, i) => {
          const cells = rows[i + 1]!;
          expect(cells).toHaveLength(9);
          expect([cells[0], cells[1], cells[2], cells[3], cells[6]]).toEqual(
            [r.file, r.folderLabel, r.model, r.weights, r.label].map(asCell),
          );
          expect([Number(cells[4]), Number(cells[5])]).toEqual([r.rank, r.classIndex]);
          expect(Math.fround(Number(cells[7]))).toBe(r.probability);
          expect(Math.abs(Number(cells[8]) - r.ms)).toBeLessThanOrEqual(r.ms * 1e-8);
        });
      }),
      fuzzParameters(300),
    );
  });
});

describe('JSON export', () => {
  it('wraps the records with the export time and link', () => {
    const records = [record({ probability: Math.fround(0.1) })];
    const json = toJson(records, {
      exportedAt: new Date(Date.UTC(2024, 0, 2, 3, 4, 5)),
      link: '?model=resnet50',
    });
    expect(JSON.parse(json)).toEqual({
      format: 'resnet-lens-results',
      version: 1,
      exportedAt: '2024-01-02T03:04:05.000Z',
      link: '?model=resnet50',
      records,
    });
    expect(json).toContain('\n  "records": [\n');
    expect(JSON.parse(toJson([], { exportedAt: new Date(0) }))).not.toHaveProperty('link');
  });
});
