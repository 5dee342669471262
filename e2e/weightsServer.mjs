// A local stand-in for the Hugging Face hub, so the URL path of the weight loader runs for real (real
// fetch, real redirects, real streaming) against files on this machine. Serves test-fixtures/reference/.
//   /timm/resnet{18,34}.tv_in1k/resolve/main/model.safetensors -> 302 to /cdn/resnet{18,34}.safetensors (as the hub does)
//   /cdn/<file>            the file, with CORS and Content-Length
//   /slow/<file>           the same, trickled out slowly (to test cancel)
//   /cut/<file>            announces the full length, then drops the connection halfway
//   /no-cors/<file>        the file without CORS headers (the browser must refuse it)
//   /cut-chunked/<file>    no Content-Length (chunked), drops the connection halfway: only the stream can tell
//   /truncated/<file>      the first half of the file, as if it were all of it (a complete, short response)
//   /tfjs/model.json       a TF.js model.json whose shard (/tfjs/group1-shard1of1.bin) is not there
//   anything else          404 (with CORS, so the page sees the status)
import { createReadStream, existsSync, statSync } from 'node:fs';
import { createServer } from 'node:http';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', 'test-fixtures', 'reference');
const PORT = Number(process.env.WEIGHTS_PORT ?? 4174);

const cors = { 'access-control-allow-origin': '*', 'access-control-expose-headers': 'content-length' };

createServer((req, res) => {
  const url = new URL(req.url ?? '/', 'http://localhost');
  if (req.method === 'OPTIONS') {
    res.writeHead(204, { ...cors, 'access-control-allow-headers': '*' }).end();
    return;
  }
  if (url.pathname === '/health') {
    res.writeHead(200, cors).end('ok');
    return;
  }
  const hub = /^\/timm\/(resnet(?:18|34))\.tv_in1k\/resolve\/main\/model\.safetensors$/.exec(url.pathname);
  if (hub) {
    res.writeHead(302, { ...cors, location: `/cdn/${hub[1]}.safetensors` }).end();
    return;
  }
  if (url.pathname === '/tfjs/model.json') {
    const modelJson = {
      format: 'layers-model',
      modelTopology: { class_name: 'Functional', config: { layers: [] } },
      weightsManifest: [{ paths: ['group1-shard1of1.bin'], weights: [] }],
    };
    res.writeHead(200, { ...cors, 'content-type': 'application/json' }).end(JSON.stringify(modelJson));
    return;
  }
  const m = /^\/(cdn|slow|cut|no-cors|cut-chunked|truncated)\/([\w.-]+)$/.exec(url.pathname);
  const file = m ? path.join(ROOT, m[2]) : null;
  if (!m || !file || !existsSync(file)) {
    res.writeHead(404, { ...cors, 'content-type': 'text/plain' }).end('Entry not found');
    return;
  }
  const size = statSync(file).size;
  const mode = m[1];
  if (mode === 'truncated') {
    const half = Math.floor(size / 2);
    res.writeHead(200, {
      ...cors,
      'content-type': 'application/octet-stream',
      'content-length': String(half),
    });
    createReadStream(file, { end: half - 1 }).pipe(res);
    return;
  }
  const headers = { 'content-type': 'application/octet-stream', 'content-length': String(size) };
  if (mode === 'cut-chunked') delete headers['content-length'];
  res.writeHead(200, mode === 'no-cors' ? headers : { ...headers, ...cors });
  if (mode === 'cdn' || mode === 'no-cors') {
    createReadStream(file).pipe(res);
    return;
  }
  const stream = createReadStream(file, { highWaterMark: 64 * 1024 });
  let sent = 0;
  stream.on('data', (chunk) => {
    sent += chunk.length;
    if ((mode === 'cut' || mode === 'cut-chunked') && sent > size / 2) {
      stream.destroy();
      res.destroy();
      return;
    }
    res.write(chunk);
    if (mode === 'slow') {
      stream.pause();
      setTimeout(() => stream.resume(), 50);
    }
  });
  stream.on('end', () => res.end());
  req.on('close', () => stream.destroy());
}).listen(PORT, '127.0.0.1', () => console.log(`weights server on http://127.0.0.1:${PORT}`));
