/**
 * Classification results as files to download: CSV for spreadsheets and JSON for scripts, one record per
 * (image, model, rank).
 */

export interface ExportRecord {
  file: string;
  /** The folder's label name as the user wrote it; null when the image was not in a labeled folder. */
  folderLabel: string | null;
  model: string;
  weights: string;
  /** 1-based. */
  rank: number;
  classIndex: number;
  label: string;
  probability: number;
  ms: number;
}

export const CSV_HEADER = 'file,folder_label,model,weights,rank,class_index,label,probability,ms';

/** What the JSON export holds besides the records. */
export interface ExportMeta {
  exportedAt: Date;
  /** The permalink that reopens the settings these results were made with. */
  link?: string;
}

/** Named so a later import can tell the file is ours, and which layout it has. */
const JSON_FORMAT = 'resnet-lens-results';
const JSON_VERSION = 1;

/**
 * Spreadsheets run a cell that starts with one of these as a formula, so a file named "=HYPERLINK(...).jpg" could
 * act on whoever opens the CSV (OWASP "CSV injection"). Such text gets a leading apostrophe, which spreadsheets
 * show as text and hide; a script reading the CSV sees the apostrophe.
 */
const FORMULA_START = /^[=+\-@\t\r]/;

function guardFormula(text: string): string {
  return FORMULA_START.test(text) ? `'${text}` : text;
}

/** RFC 4180: a field with a comma, quote, CR or LF is quoted, with its quotes doubled. */
function quoteField(field: string): string {
  return /[",\r\n]/.test(field) ? `"${field.replace(/"/g, '""')}"` : field;
}

/**
 * 9 significant digits: what a float32 (the model's output) needs to survive the text, written in the shortest
 * form that keeps them. Not a finite number: an empty cell.
 */
function formatNumber(value: number): string {
  return Number.isFinite(value) ? String(Number(value.toPrecision(9))) : '';
}

const textCell = (text: string | null): string => (text === null ? '' : quoteField(guardFormula(text)));

/** The records as CSV under CSV_HEADER, CRLF after every line. Numbers are never altered by the formula guard. */
export function toCsv(records: readonly ExportRecord[]): string {
  const lines = records.map((r) =>
    [
      textCell(r.file),
      textCell(r.folderLabel),
      textCell(r.model),
      textCell(r.weights),
      formatNumber(r.rank),
      formatNumber(r.classIndex),
      textCell(r.label),
      formatNumber(r.probability),
      formatNumber(r.ms),
    ].join(','),
  );
  return [CSV_HEADER, ...lines].map((line) => `${line}\r\n`).join('');
}

/** The records and what they were made with, as indented JSON; numbers keep their full precision. */
export function toJson(records: readonly ExportRecord[], meta: ExportMeta): string {
  const document = {
    format: JSON_FORMAT,
    version: JSON_VERSION,
    exportedAt: meta.exportedAt.toISOString(),
    ...(meta.link === undefined ? {} : { link: meta.link }),
    records,
  };
  return `${JSON.stringify(document, null, 2)}\n`;
}
