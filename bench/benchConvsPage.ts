/**
 * The page behind `npm run bench:convs` (bench-convs.html): starts the convolution benchmark's worker
 * (./benchConvs.worker.ts: TF.js on the app's WASM backend, off the page's thread like the app's engine)
 * and offers `window.__benchConvs(request)` to scripts/bench-convs.mjs, which says what to time.
 * Built by vite.bench.config.ts, apart from the app.
 */
import type { BenchConvsReply, BenchConvsRequest, BenchConvsResult } from './benchConvs';

declare global {
  interface Window {
    __benchConvs?: (request: BenchConvsRequest) => Promise<BenchConvsResult>;
  }
}

const out = document.getElementById('out')!;

window.__benchConvs = async (request) => {
  out.textContent = `timing ${request.convs.length} convolutions…`;
  const worker = new Worker(new URL('./benchConvs.worker.ts', import.meta.url), { type: 'module' });
  try {
    const reply = await new Promise<BenchConvsReply>((resolve, reject) => {
      worker.onmessage = (event: MessageEvent<BenchConvsReply>) => resolve(event.data);
      worker.onerror = (event) => reject(new Error(event.message || 'the benchmark worker failed'));
      worker.postMessage(request);
    });
    if (!reply.ok) throw new Error(reply.error);
    out.textContent = JSON.stringify(reply.result, null, 2);
    return reply.result;
  } catch (err) {
    out.textContent = String(err);
    throw err;
  } finally {
    worker.terminate();
  }
};
