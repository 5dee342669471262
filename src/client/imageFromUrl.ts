/**
 * Fetches an image from an address the user pasted or dragged in, as a file to classify like a dropped one:
 * only http(s), only from hosts that allow other pages to read it (CORS), never with cookies, and never more
 * than MAX_IMAGE_URL_BYTES however large the server says (or lies) the image is.
 */
import { SNIFF_BYTES, sniffImage } from '../shared/imageFormat';
import { watchConnectSrcViolations } from './weightsDownload';

/** Larger than any photo a camera makes; a server sending more is counted and cut off at this many bytes. */
export const MAX_IMAGE_URL_BYTES = 50 * 1024 * 1024;

export type ImageUrlErrorCode =
  /** Not an address at all. */
  | 'bad-url'
  /** Not http(s): data:, file:, javascript:, blob: and the like are never fetched. */
  | 'scheme'
  /** The host does not allow other pages to read it (no CORS), or could not be reached. */
  | 'cors'
  /** This page's Content-Security-Policy refused the address (http: from an https page). */
  | 'blocked'
  | 'http'
  /** The download broke off part way. */
  | 'network'
  | 'not-image'
  | 'too-large'
  | 'cancelled';

export class ImageUrlError extends Error {
  constructor(
    readonly code: ImageUrlErrorCode,
    message: string,
  ) {
    super(message);
    this.name = 'ImageUrlError';
  }
}

export interface FetchedImage {
  file: File;
  /** The address the image came from, after any redirects. */
  url: string;
}

/** What to do when a page will not share an image: the one way that always works. */
const SAVE_AND_DROP = 'Save the image from that page (right-click, "Save image as…") and drop the file here.';

/** The URL's last path segment, decoded, as the image's name; the host name when the path has none. */
export function imageNameFromUrl(url: URL): string {
  const segment = url.pathname.split('/').filter(Boolean).at(-1);
  if (!segment) return url.hostname;
  try {
    return decodeURIComponent(segment);
  } catch {
    return segment; // a stray % that is not an escape
  }
}

/** The address as typed: trimmed, and refused unless it is an absolute http(s) URL. */
export function parseImageUrl(text: string): URL {
  const trimmed = text.trim();
  let url: URL;
  try {
    url = new URL(trimmed);
  } catch {
    throw new ImageUrlError('bad-url', `"${trimmed}" is not a web address (it should start with https://).`);
  }
  if (url.protocol !== 'https:' && url.protocol !== 'http:') {
    throw new ImageUrlError(
      'scheme',
      `Only http(s) addresses can be loaded, not ${url.protocol} ones. ${SAVE_AND_DROP}`,
    );
  }
  return url;
}

/** Reads a body, counting as it goes: past `maxBytes` it stops reading and throws, whatever Content-Length said. */
async function readCapped(
  response: Response,
  maxBytes: number,
  host: string,
): Promise<Uint8Array<ArrayBuffer>> {
  const tooLarge = () =>
    new ImageUrlError(
      'too-large',
      `The image at ${host} is larger than ${Math.round(maxBytes / (1024 * 1024))} MB; only smaller ones are loaded from an address.`,
    );
  const reader = response.body?.getReader();
  if (!reader) {
    const whole = new Uint8Array(await response.arrayBuffer());
    if (whole.byteLength > maxBytes) throw tooLarge();
    return whole;
  }
  const chunks: Uint8Array[] = [];
  let loaded = 0;
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    loaded += value.byteLength;
    if (loaded > maxBytes) {
      void reader.cancel().catch(() => undefined);
      throw tooLarge();
    }
    chunks.push(value);
  }
  const bytes = new Uint8Array(loaded);
  let offset = 0;
  for (const chunk of chunks) {
    bytes.set(chunk, offset);
    offset += chunk.byteLength;
  }
  return bytes;
}

/**
 * Fetches the image at `text`. Its bytes must be an image by the server's Content-Type or, when the server says
 * something else (many send application/octet-stream), by their first bytes. Throws an ImageUrlError whose
 * message says what went wrong and what to do.
 */
export async function imageFromUrl(
  text: string,
  { signal, maxBytes = MAX_IMAGE_URL_BYTES }: { signal?: AbortSignal; maxBytes?: number } = {},
): Promise<FetchedImage> {
  const url = parseImageUrl(text);
  const csp = watchConnectSrcViolations();
  let response: Response;
  try {
    // No cookies and no referrer: the host learns only that someone fetched this address.
    response = await fetch(url, {
      mode: 'cors',
      credentials: 'omit',
      referrerPolicy: 'no-referrer',
      signal,
    });
  } catch (err) {
    if (signal?.aborted) {
      csp.stop();
      throw new ImageUrlError('cancelled', 'Loading the image was cancelled.');
    }
    if ((await csp.blockedUri()) !== null) {
      throw new ImageUrlError(
        'blocked',
        `This page may load images only from https: addresses, and ${url.host} was refused. ${SAVE_AND_DROP}`,
      );
    }
    // fetch() says nothing more on purpose: a host without CORS and an unreachable one look the same.
    throw new ImageUrlError(
      'cors',
      `${url.host} does not let other pages read its images (it sends no CORS permission), or it could not be reached. ${SAVE_AND_DROP}${err instanceof Error && err.message ? ` (${err.message})` : ''}`,
    );
  }
  csp.stop();
  if (!response.ok) {
    throw new ImageUrlError(
      'http',
      `${url.host} answered HTTP ${response.status}${response.statusText ? ` ${response.statusText}` : ''} for ${url.href}.`,
    );
  }
  const lengthHeader = response.headers.get('content-length');
  if (lengthHeader !== null && /^\d+$/.test(lengthHeader) && Number(lengthHeader) > maxBytes) {
    void response.body?.cancel().catch(() => undefined);
    throw new ImageUrlError(
      'too-large',
      `The image at ${url.host} is ${Math.round(Number(lengthHeader) / (1024 * 1024))} MB; only images up to ${Math.round(maxBytes / (1024 * 1024))} MB are loaded from an address.`,
    );
  }
  const contentType = (response.headers.get('content-type') ?? '').split(';')[0]!.trim().toLowerCase();
  let bytes: Uint8Array<ArrayBuffer>;
  try {
    bytes = await readCapped(response, maxBytes, url.host);
  } catch (err) {
    if (err instanceof ImageUrlError) throw err;
    if (signal?.aborted) throw new ImageUrlError('cancelled', 'Loading the image was cancelled.');
    throw new ImageUrlError(
      'network',
      `The image from ${url.host} broke off part way${err instanceof Error ? ` (${err.message})` : ''}. Try again, or save it and drop the file here.`,
    );
  }
  const declaredImage = contentType.startsWith('image/');
  if (!declaredImage && !sniffImage(bytes.subarray(0, SNIFF_BYTES))) {
    throw new ImageUrlError(
      'not-image',
      `${url.href} is not an image (the server calls it ${contentType || 'nothing'}, and its bytes are no image format either).`,
    );
  }
  // Named after the address the user gave, not where it redirected: that is the name they will look for.
  const file = new File([bytes], imageNameFromUrl(url), { type: declaredImage ? contentType : '' });
  return { file, url: response.url || url.href };
}
