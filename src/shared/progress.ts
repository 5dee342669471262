/**
 * The one progress event of the app: building or loading a model, downloading weights, long explanations.
 * Both threads speak it, so a worker's progress reaches the page unchanged.
 */

export interface Progress {
  /** 0..1; null when the total is unknown (a download without Content-Length): show an indeterminate bar. */
  fraction: number | null;
  /** What is happening, in words for the user ("Building layer3", "Downloading model.safetensors"). */
  message: string;
  /** For transfers: bytes so far, and the total when known. */
  loaded?: number;
  total?: number | null;
}

export type OnProgress = (progress: Progress) => void;

/** A progress callback that reports a sub-task's 0..1 as the slice [from, to] of the whole. */
export function progressSlice(onProgress: OnProgress | undefined, from: number, to: number): OnProgress {
  return (p) =>
    onProgress?.({ ...p, fraction: p.fraction === null ? null : from + (to - from) * p.fraction });
}
