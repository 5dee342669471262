import { readFileSync } from 'node:fs';
import { afterEach, describe, expect, it, vi } from 'vitest';

import { stubFetchRefusedByPolicy } from '../testing/refusedFetch';
import { ImageUrlError, imageFromUrl, imageNameFromUrl, parseImageUrl } from './imageFromUrl';

const JPEG = new Uint8Array(readFileSync(new URL('../../e2e/fixtures/chelsea.jpg', import.meta.url)));

/** A response whose body yields `chunks` one by one, counting how many the reader pulled. */
function streamed(chunks: Uint8Array[], headers: Record<string, string> = {}, status = 200) {
  let pulled = 0;
  let cancelled = false;
  const body = new ReadableStream<Uint8Array>({
    pull(controller) {
      const chunk = chunks[pulled++];
      if (chunk) controller.enqueue(chunk);
      else controller.close();
    },
    cancel() {
      cancelled = true;
    },
  });
  const response = new Response(body, { status, headers });
  return { response, pulled: () => pulled, cancelled: () => cancelled };
}

async function failure(run: Promise<unknown>): Promise<ImageUrlError> {
  const error = await run.then(
    () => null,
    (err: unknown) => err,
  );
  expect(error).toBeInstanceOf(ImageUrlError);
  return error as ImageUrlError;
}

afterEach(() => {
  vi.unstubAllGlobals();
});

describe('imageFromUrl', () => {
  it('fetches with CORS, no cookies and no referrer, and names the file after the last path segment', async () => {
    const fetchMock = vi.fn(async () => streamed([JPEG], { 'content-type': 'image/jpeg' }).response);
    vi.stubGlobal('fetch', fetchMock);
    const { file } = await imageFromUrl('  https://images.example/cats/my%20cat.jpg?size=large  ');
    expect(fetchMock).toHaveBeenCalledTimes(1);
    const [url, init] = fetchMock.mock.calls[0] as unknown as [URL, RequestInit];
    expect(url.href).toBe('https://images.example/cats/my%20cat.jpg?size=large');
    expect(init).toMatchObject({ mode: 'cors', credentials: 'omit', referrerPolicy: 'no-referrer' });
    expect(file.name).toBe('my cat.jpg');
    expect(file.type).toBe('image/jpeg');
    expect(new Uint8Array(await file.arrayBuffer())).toEqual(JPEG);
  });

  it('takes an image the server mislabels, by its bytes, and refuses a page that is not one', async () => {
    vi.stubGlobal(
      'fetch',
      async () => streamed([JPEG], { 'content-type': 'application/octet-stream' }).response,
    );
    const { file } = await imageFromUrl('https://cdn.example/blob/1234');
    expect(file.name).toBe('1234');
    expect(file.size).toBe(JPEG.byteLength);

    vi.stubGlobal(
      'fetch',
      async () =>
        streamed([new TextEncoder().encode('<!doctype html><p>hi')], {
          'content-type': 'text/html; charset=utf-8',
        }).response,
    );
    const notImage = await failure(imageFromUrl('https://example.com/gallery'));
    expect(notImage.code).toBe('not-image');
    expect(notImage.message).toMatch(/is not an image.*text\/html/);
  });

  it('says a host without CORS does not let other pages read its images, and what to do', async () => {
    vi.stubGlobal('fetch', () => Promise.reject(new TypeError('Failed to fetch')));
    const error = await failure(imageFromUrl('https://no-cors.example/photo.jpg'));
    expect(error.code).toBe('cors');
    expect(error.message).toMatch(/no-cors\.example does not let other pages read its images/);
    expect(error.message).toMatch(/Save the image.*drop the file here/);
  });

  it("says so when the page's Content-Security-Policy refused the address", async () => {
    stubFetchRefusedByPolicy('http://plain.example/a.jpg');
    const error = await failure(imageFromUrl('http://plain.example/a.jpg'));
    expect(error.code).toBe('blocked');
    expect(error.message).toMatch(/only from https: addresses/);
  });

  it('refuses addresses that are not http(s) without fetching them', async () => {
    const fetchMock = vi.fn();
    vi.stubGlobal('fetch', fetchMock);
    for (const url of [
      'file:///etc/passwd',
      'javascript:alert(1)',
      'data:image/png;base64,AAAA',
      'ftp://x/a.jpg',
    ]) {
      expect((await failure(imageFromUrl(url))).code, url).toBe('scheme');
    }
    for (const url of ['', 'not a url', '/relative/a.jpg', 'http://[::1']) {
      expect((await failure(imageFromUrl(url))).code, url).toBe('bad-url');
    }
    expect(fetchMock).not.toHaveBeenCalled();
  });

  it('reports an HTTP error with its status', async () => {
    vi.stubGlobal('fetch', async () => new Response('gone', { status: 404, statusText: 'Not Found' }));
    const error = await failure(imageFromUrl('https://images.example/missing.jpg'));
    expect(error.code).toBe('http');
    expect(error.message).toMatch(/HTTP 404 Not Found/);
  });

  it('refuses a declared size over the limit before reading a byte', async () => {
    const body = streamed([JPEG], {
      'content-type': 'image/jpeg',
      'content-length': String(60 * 1024 * 1024),
    });
    vi.stubGlobal('fetch', async () => body.response);
    const error = await failure(imageFromUrl('https://images.example/huge.jpg'));
    expect(error.code).toBe('too-large');
    expect(error.message).toMatch(/60 MB/);
    expect(body.pulled()).toBeLessThanOrEqual(1);
  });

  it('stops reading a body that runs past the limit, whatever the server declared', async () => {
    const chunk = new Uint8Array(1024);
    // 100 chunks on offer, a 4 KiB limit, and a Content-Length that lies.
    const body = streamed(
      Array.from({ length: 100 }, () => chunk),
      {
        'content-type': 'image/jpeg',
        'content-length': '10',
      },
    );
    vi.stubGlobal('fetch', async () => body.response);
    const error = await failure(imageFromUrl('https://liar.example/a.jpg', { maxBytes: 4096 }));
    expect(error.code).toBe('too-large');
    expect(body.pulled()).toBeLessThanOrEqual(6);
    expect(body.cancelled()).toBe(true);
  });

  it('ends as cancelled when aborted', async () => {
    const controller = new AbortController();
    controller.abort();
    vi.stubGlobal('fetch', () => Promise.reject(new DOMException('aborted', 'AbortError')));
    const error = await failure(imageFromUrl('https://images.example/a.jpg', { signal: controller.signal }));
    expect(error.code).toBe('cancelled');
  });
});

describe('names and addresses', () => {
  it("names an image after its address's last segment, or its host", () => {
    expect(imageNameFromUrl(new URL('https://a.example/x/y/photo.png?q=1#f'))).toBe('photo.png');
    expect(imageNameFromUrl(new URL('https://a.example/'))).toBe('a.example');
    expect(imageNameFromUrl(new URL('https://a.example/100%'))).toBe('100%');
  });

  it('accepts only absolute http(s) addresses', () => {
    expect(parseImageUrl(' https://a.example/b.jpg ').href).toBe('https://a.example/b.jpg');
    expect(parseImageUrl('HTTP://A.example/b.jpg').href).toBe('http://a.example/b.jpg');
    expect(() => parseImageUrl('blob:https://a.example/123')).toThrow(ImageUrlError);
  });
});
