/**
 * The few web platform types that shared code names, for tsconfig.shared.json alone: shared code runs on the page
 * and in the worker, so it is checked with neither lib.dom nor lib.webworker, and anything it uses must exist in
 * both. Each declaration is a subset of the one in TypeScript's DOM and WebWorker libs (same names, same
 * signatures), written out only as far as shared code uses it (a type it only names keeps a member or two, so as
 * not to be an empty type that anything fits); the page's and the worker's projects check the same files against
 * the full libs. No other project includes this file: there the libs declare these types.
 */

/** Crosses threads in EngineApi (an image to classify, a thumbnail); shared code only passes it along. */
interface Blob {
  readonly size: number;
  readonly type: string;
}

/** Drawn in the worker, shown on the page; shared code only names it. */
interface ImageBitmap {
  readonly height: number;
  readonly width: number;
  close(): void;
}

/** A camera frame, transferred to the worker; shared code only names it. */
interface VideoFrame {
  readonly displayHeight: number;
  readonly displayWidth: number;
  close(): void;
}

interface TextDecoderOptions {
  fatal?: boolean;
  ignoreBOM?: boolean;
}

interface TextDecoder {
  decode(input?: ArrayBufferView | ArrayBuffer): string;
}

declare const TextDecoder: {
  prototype: TextDecoder;
  new (label?: string, options?: TextDecoderOptions): TextDecoder;
};

interface URL {
  hostname: string;
  pathname: string;
}

declare const URL: {
  prototype: URL;
  new (url: string | URL, base?: string | URL): URL;
};

interface URLSearchParams {
  get(name: string): string | null;
  has(name: string, value?: string): boolean;
  set(name: string, value: string): void;
}

declare const URLSearchParams: {
  prototype: URLSearchParams;
  new (init?: string[][] | Record<string, string> | string | URLSearchParams): URLSearchParams;
};

/** The User Timing API, as far as the start marks (startMarks.ts) use it. */
interface Performance {
  mark(markName: string): unknown;
}

declare const performance: Performance;
