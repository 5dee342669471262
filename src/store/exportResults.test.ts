import { describe, expect, it } from 'vitest';

import type { ModelSummary } from '../shared/modelSummary';
import type { Prediction } from '../shared/predictions';
import { CSV_HEADER } from '../shared/resultsExport';
import type { VariantId } from '../shared/variants';
import type { CompareResults } from './compareRows';
import { exportRecords, recordsFromAnswers, resultsFile, resultsFileName } from './exportResults';
import type { ImageItem } from './imagesSlice';
import type { AppState } from './types';

const prediction = (classIndex: number, probability: number): Prediction => ({
  classIndex,
  label: `class ${classIndex}`,
  synonyms: '',
  probability,
});

/** Twenty predictions, as a classification keeps them. */
const TOP20 = Array.from({ length: 20 }, (_, i) => prediction(281 + i, 0.5 / (i + 1)));

let nextId = 1;
function image(patch: Partial<ImageItem> = {}): ImageItem {
  return {
    id: `img-${nextId++}`,
    fileName: 'a.jpg',
    relativePath: null,
    file: new Blob(),
    thumbUrl: null,
    status: 'done',
    predictions: TOP20,
    variant: 'resnet18',
    totalMs: 42.5,
    inferenceMs: 30,
    sourceSize: { width: 1, height: 1 },
    attempts: 0,
    notice: null,
    error: null,
    ...patch,
  };
}

function state(patch: Partial<AppState> = {}): AppState {
  return {
    images: [],
    topK: 3,
    summary: { variant: 'resnet18' } as ModelSummary,
    weights: { origin: 'random', name: 'ResNet18, random init (seed 42)' },
    compareMode: false,
    comparedIds: [],
    compareResults: {},
    cachedWeights: [],
    variant: 'resnet18',
    backendChoice: 'auto',
    explainMethod: 'gradcam',
    explainStageChoice: null,
    requestedCompare: [],
    ...patch,
  } as AppState;
}

describe('export records in single-model mode', () => {
  it('has one record per finished image and rank shown, with the folder label when the folder names a class', () => {
    const records = exportRecords(
      state({
        images: [
          image({ fileName: 'a.jpg', relativePath: 'photos/tabby/a.jpg' }),
          image({ fileName: 'b.jpg' }),
          image({ fileName: 'c.jpg', relativePath: 'photos/holiday/c.jpg' }),
          image({ fileName: 'busy.jpg', status: 'classifying' }),
          image({ fileName: 'bad.jpg', status: 'error', predictions: null }),
        ],
      }),
    );
    expect(records).toHaveLength(9);
    expect(records[0]).toEqual({
      file: 'photos/tabby/a.jpg',
      folderLabel: 'tabby',
      model: 'resnet18',
      weights: 'ResNet18, random init (seed 42)',
      rank: 1,
      classIndex: 281,
      label: 'class 281',
      probability: 0.5,
      ms: 42.5,
    });
    expect(records.map((r) => [r.file, r.rank])).toEqual([
      ['photos/tabby/a.jpg', 1],
      ['photos/tabby/a.jpg', 2],
      ['photos/tabby/a.jpg', 3],
      ['b.jpg', 1],
      ['b.jpg', 2],
      ['b.jpg', 3],
      ['photos/holiday/c.jpg', 1],
      ['photos/holiday/c.jpg', 2],
      ['photos/holiday/c.jpg', 3],
    ]);
    expect(records.map((r) => r.folderLabel)).toEqual([
      'tabby',
      'tabby',
      'tabby',
      null,
      null,
      null,
      null,
      null,
      null,
    ]);
  });

  it('names loaded weights in the model id, and not for an image the loaded model has not classified yet', () => {
    const weights = { origin: 'file' as const, name: 'resnet34-b627a593.pth' };
    const records = exportRecords(
      state({
        topK: 1,
        summary: { variant: 'resnet34' } as ModelSummary,
        weights,
        images: [image({ variant: 'resnet34' }), image({ variant: 'resnet18' as VariantId })],
      }),
    );
    expect(records.map((r) => [r.model, r.weights])).toEqual([
      ['resnet34:resnet34-b627a593.pth', 'resnet34-b627a593.pth'],
      ['resnet18', ''],
    ]);
  });
});

describe('export records in compare mode', () => {
  it("has each compared model's answers for each image, the active model's being the image's own", () => {
    const a = image({ fileName: 'a.jpg', relativePath: 'set/tabby/a.jpg' });
    const b = image({ fileName: 'b.jpg' });
    const results: CompareResults = {
      [a.id]: { resnet34: { status: 'done', predictions: [prediction(7, 0.9), prediction(8, 0.1)], ms: 80 } },
      [b.id]: { resnet34: { status: 'error', message: 'failed', cancelled: false } },
    };
    const records = exportRecords(
      state({
        topK: 1,
        images: [a, b],
        compareMode: true,
        comparedIds: ['resnet18', 'resnet34'],
        compareResults: results,
      }),
    );
    expect(records.map((r) => [r.file, r.folderLabel, r.model, r.weights, r.classIndex, r.ms])).toEqual([
      ['set/tabby/a.jpg', 'tabby', 'resnet18', 'ResNet18, random init (seed 42)', 281, 42.5],
      ['set/tabby/a.jpg', 'tabby', 'resnet34', 'seeded (untrained)', 7, 80],
      ['b.jpg', null, 'resnet18', 'ResNet18, random init (seed 42)', 281, 42.5],
    ]);
  });

  it('is single-model mode while fewer than two models are chosen', () => {
    const records = exportRecords(
      state({ topK: 1, images: [image()], compareMode: true, comparedIds: ['resnet18'] }),
    );
    expect(records.map((r) => r.model)).toEqual(['resnet18']);
  });
});

describe('the export files', () => {
  it('are named by the local time they were made', () => {
    expect(resultsFileName(new Date(2026, 0, 2, 3, 4, 5), 'csv')).toBe(
      'resnet-lens-results-20260102-030405.csv',
    );
    expect(resultsFileName(new Date(2026, 11, 31, 23, 59, 9), 'json')).toBe(
      'resnet-lens-results-20261231-235909.json',
    );
  });

  it('CSV: a byte order mark for Excel, the header, one line per record', () => {
    const s = state({ images: [image({ fileName: '=cmd.jpg' })] });
    const csv = resultsFile(s, 'csv', new Date(2026, 0, 1), 'http://x/');
    expect(csv.type).toBe('text/csv;charset=utf-8');
    expect(csv.text.startsWith(`\uFEFF${CSV_HEADER}\r\n`)).toBe(true);
    const lines = csv.text.slice(1).split('\r\n');
    expect(lines).toHaveLength(1 + 3 + 1);
    expect(lines[1]).toBe('\'=cmd.jpg,,resnet18,"ResNet18, random init (seed 42)",1,281,class 281,0.5,42.5');
  });

  it('JSON: the records and the link to the settings they were made with', () => {
    const s = state({ images: [image()], topK: 2 });
    const file = resultsFile(
      s,
      'json',
      new Date(Date.UTC(2026, 0, 1)),
      'http://127.0.0.1:4173/?model=resnet18',
    );
    const parsed = JSON.parse(file.text) as { exportedAt: string; link: string; records: unknown[] };
    expect(parsed.exportedAt).toBe('2026-01-01T00:00:00.000Z');
    expect(parsed.link).toBe('http://127.0.0.1:4173/?model=resnet18&k=2');
    expect(parsed.records).toEqual(exportRecords(s));
  });

  it('recordsFromAnswers cuts each answer to k', () => {
    const rows = [
      {
        fileName: 'a.jpg',
        relativePath: null,
        answers: [{ modelId: 'resnet50', weights: 'w', predictions: TOP20, ms: 1 }],
      },
    ];
    expect(recordsFromAnswers(rows, 20)).toHaveLength(20);
    expect(recordsFromAnswers(rows, 0)).toHaveLength(0);
  });
});
