import { afterEach, describe, expect, it, vi } from 'vitest';

import { stubFetchRefusedByPolicy } from '../testing/refusedFetch';
import { DownloadError, downloadWeights, fileNameFromUrl } from './weightsDownload';

describe('fileNameFromUrl', () => {
  it('names hub files by their repository', () => {
    expect(
      fileNameFromUrl('https://huggingface.co/timm/resnet18.tv_in1k/resolve/main/model.safetensors'),
    ).toBe('timm/resnet18.tv_in1k/model.safetensors');
  });
  it('uses the last path segment otherwise', () => {
    expect(fileNameFromUrl('https://download.pytorch.org/models/resnet18-f37072fd.pth')).toBe(
      'resnet18-f37072fd.pth',
    );
  });
});

const URL_ = 'https://huggingface.co/timm/resnet18.tv_in1k/resolve/main/model.safetensors';

/** A response whose body yields `chunks`, then ends or (with `fail`) errors like a dropped connection. */
function streamedResponse(chunks: Uint8Array[], headers: Record<string, string>, fail?: Error): Response {
  let next = 0;
  const body = new ReadableStream<Uint8Array>({
    pull(controller) {
      const chunk = chunks[next++];
      if (chunk) controller.enqueue(chunk);
      else if (fail) controller.error(fail);
      else controller.close();
    },
  });
  return new Response(body, { status: 200, headers });
}

async function downloadError(run: Promise<unknown>): Promise<DownloadError> {
  const error = await run.then(
    () => null,
    (err: unknown) => err,
  );
  expect(error).toBeInstanceOf(DownloadError);
  return error as DownloadError;
}

const noProgress = () => undefined;

describe('downloadWeights', () => {
  afterEach(() => vi.unstubAllGlobals());

  it('returns every byte and reports progress up to the announced length', async () => {
    const chunks = [new Uint8Array([1, 2, 3]), new Uint8Array([4, 5])];
    vi.stubGlobal('fetch', () => Promise.resolve(streamedResponse(chunks, { 'content-length': '5' })));
    const progress: Array<[number, number | null]> = [];
    const data = await downloadWeights(
      URL_,
      (p) => progress.push([p.loaded!, p.total ?? null]),
      new AbortController().signal,
    );
    expect([...new Uint8Array(data)]).toEqual([1, 2, 3, 4, 5]);
    expect(progress).toEqual([
      [0, 5],
      [3, 5],
      [5, 5],
    ]);
  });

  it('names the HTTP status', async () => {
    vi.stubGlobal('fetch', () =>
      Promise.resolve(new Response('Entry not found', { status: 404, statusText: 'Not Found' })),
    );
    const error = await downloadError(downloadWeights(URL_, noProgress, new AbortController().signal));
    expect(error.code).toBe('http');
    expect(error.message).toContain('HTTP 404 Not Found');
  });

  it('says where a connection that broke off halfway stopped', async () => {
    vi.stubGlobal('fetch', () =>
      Promise.resolve(
        streamedResponse(
          [new Uint8Array(1000)],
          { 'content-length': '2000' },
          new TypeError('network error'),
        ),
      ),
    );
    const error = await downloadError(downloadWeights(URL_, noProgress, new AbortController().signal));
    expect(error.code).toBe('network');
    expect(error.message).toMatch(/broke off after 1000 bytes/);
  });

  it('refuses a body shorter than its Content-Length', async () => {
    vi.stubGlobal('fetch', () =>
      Promise.resolve(streamedResponse([new Uint8Array(10)], { 'content-length': '20' })),
    );
    const error = await downloadError(downloadWeights(URL_, noProgress, new AbortController().signal));
    expect(error.code).toBe('network');
    expect(error.message).toMatch(/ended after 10 of 20 bytes/);
  });

  it('tells an unreachable server (or CORS) from a cancel', async () => {
    vi.stubGlobal('fetch', () => Promise.reject(new TypeError('Failed to fetch')));
    const offline = await downloadError(downloadWeights(URL_, noProgress, new AbortController().signal));
    expect(offline.code).toBe('network');
    expect(offline.message).toMatch(/Could not reach huggingface\.co.*CORS/);

    const controller = new AbortController();
    controller.abort();
    vi.stubGlobal('fetch', () => Promise.reject(new DOMException('aborted', 'AbortError')));
    expect((await downloadError(downloadWeights(URL_, noProgress, controller.signal))).code).toBe(
      'cancelled',
    );
  });

  it("says when the page's Content-Security-Policy refused the host, even after a redirect", async () => {
    stubFetchRefusedByPolicy('https://cdn.example.com');
    const error = await downloadError(downloadWeights(URL_, noProgress, new AbortController().signal));
    expect(error.code).toBe('blocked');
    expect(error.message).toMatch(
      /Content-Security-Policy does not allow downloads from cdn\.example\.com \(where huggingface\.co redirected\)/,
    );
  });

  it('refuses URLs that are not http(s)', async () => {
    for (const url of ['file:///etc/passwd', 'javascript:alert(1)', 'http://[::1']) {
      const error = await downloadError(downloadWeights(url, noProgress, new AbortController().signal));
      expect(error.code, url).toBe('bad-url');
    }
  });
});
