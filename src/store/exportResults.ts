/**
 * The results on the page as records to take away (CSV or JSON): one per image, model and rank shown, with the
 * class its folder names, if any.
 */
import type { ModelAnswer } from '../shared/comparison';
import { labelFromPath } from '../shared/folderLabels';
import { modelIdFor } from '../shared/modelIds';
import { MIN_COMPARED, parseModelId } from '../shared/permalink';
import { toCsv, toJson } from '../shared/resultsExport';
import type { ExportRecord } from '../shared/resultsExport';
import { activeModelId } from './compareModels';
import { cellOf } from './compareRows';
import { saveToDisk } from './saveToDisk';
import { shareUrl } from './shareLink';
import type { AppState } from './types';

/** One image and every answer it got: one model's in single-model mode, each compared model's in compare mode. */
export interface AnsweredImage {
  fileName: string;
  relativePath: string | null;
  answers: (ModelAnswer & { weights: string })[];
}

type ExportState = Pick<AppState, 'images' | 'topK' | 'summary' | 'weights'>;
type CompareExportState = ExportState &
  Pick<AppState, 'compareMode' | 'comparedIds' | 'compareResults' | 'cachedWeights'>;

/**
 * The finished cards of single-model mode. An image classified by another variant than the loaded one (its
 * re-classification not done yet) is not tied to the loaded weights: it gets its variant alone and no weights.
 */
export function singleModelAnswers(state: ExportState): AnsweredImage[] {
  return state.images.flatMap((image) => {
    if (image.status !== 'done' || !image.predictions || !image.variant) return [];
    const current = state.summary?.variant === image.variant;
    const weights = current ? state.weights : null;
    return [
      {
        fileName: image.fileName,
        relativePath: image.relativePath,
        answers: [
          {
            modelId: modelIdFor(image.variant, weights),
            weights: weights?.name ?? '',
            predictions: image.predictions,
            ms: image.totalMs ?? Number.NaN,
          },
        ],
      },
    ];
  });
}

/** The name of the weights behind a compared model id, as the weights column shows it. */
function comparedWeightsName(state: CompareExportState, modelId: string, activeId: string | null): string {
  if (modelId === activeId) return state.weights?.name ?? '';
  const cached = state.cachedWeights.find(
    (entry) =>
      entry.variant !== undefined &&
      modelIdFor(entry.variant, { origin: 'cache', name: entry.name }) === modelId,
  );
  if (cached) return cached.name;
  const parsed = parseModelId(modelId);
  if (parsed?.weights) return parsed.weights;
  return parsed?.variant === 'resnet50' ? 'bundled ImageNet weights' : 'seeded (untrained)';
}

/**
 * Compare mode's answers, per image and compared model (the active model's are the images' own); null when the
 * page is not comparing. Only settled answers are exported: a model still waiting or failed on an image has no
 * rows for it.
 */
export function comparedAnswers(state: CompareExportState): AnsweredImage[] | null {
  if (!state.compareMode || state.comparedIds.length < MIN_COMPARED) return null;
  const activeId = activeModelId(state);
  return state.images.flatMap((image) => {
    const answers = state.comparedIds.flatMap((modelId) => {
      const cell = cellOf(image, modelId, activeId, state.compareResults);
      if (cell?.status !== 'done') return [];
      return [
        {
          modelId,
          weights: comparedWeightsName(state, modelId, activeId),
          predictions: cell.predictions,
          ms: cell.ms,
        },
      ];
    });
    return answers.length === 0
      ? []
      : [{ fileName: image.fileName, relativePath: image.relativePath, answers }];
  });
}

/** One record per image, answer and rank, the first `k` ranks of each answer (what the cards show). */
export function recordsFromAnswers(rows: readonly AnsweredImage[], k: number): ExportRecord[] {
  return rows.flatMap((row) => {
    const folder = row.relativePath === null ? null : labelFromPath(row.relativePath);
    const folderLabel = folder && folder.classIndex !== null ? folder.folder : null;
    return row.answers.flatMap((answer) =>
      answer.predictions.slice(0, k).map((p, i) => ({
        file: row.relativePath ?? row.fileName,
        folderLabel,
        model: answer.modelId,
        weights: answer.weights,
        rank: i + 1,
        classIndex: p.classIndex,
        label: p.label,
        probability: p.probability,
        ms: answer.ms,
      })),
    );
  });
}

/** Everything the page shows as results, as export records. */
export function exportRecords(state: CompareExportState): ExportRecord[] {
  return recordsFromAnswers(comparedAnswers(state) ?? singleModelAnswers(state), state.topK);
}

const two = (n: number) => String(n).padStart(2, '0');

/** `resnet-lens-results-YYYYMMDD-HHMMSS.csv`, in the user's local time (the time they will look for). */
export function resultsFileName(now: Date, format: 'csv' | 'json'): string {
  const date = `${now.getFullYear()}${two(now.getMonth() + 1)}${two(now.getDate())}`;
  const time = `${two(now.getHours())}${two(now.getMinutes())}${two(now.getSeconds())}`;
  return `resnet-lens-results-${date}-${time}.${format}`;
}

/** Excel reads a CSV as UTF-8 only when it starts with a byte order mark; other programs skip it. */
const UTF8_BOM = '\uFEFF';

/** The export file's name, text and type. The JSON carries the link that reopens the same settings. */
export function resultsFile(
  state: AppState,
  format: 'csv' | 'json',
  now: Date,
  pageHref: string,
): { name: string; text: string; type: string } {
  const records = exportRecords(state);
  const name = resultsFileName(now, format);
  if (format === 'csv') return { name, text: UTF8_BOM + toCsv(records), type: 'text/csv;charset=utf-8' };
  return {
    name,
    text: toJson(records, { exportedAt: now, link: shareUrl(state, pageHref) }),
    type: 'application/json',
  };
}

export function downloadResults(state: AppState, format: 'csv' | 'json'): void {
  const file = resultsFile(state, format, new Date(), window.location.href);
  saveToDisk(file.name, file.text, file.type);
}
