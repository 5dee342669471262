// Serves a build with `vite preview` for the scripts that drive it (bench, bench:convs, soak): the production
// build (dist/) by default, or the bench room's (dist-bench/, vite.bench.config.ts), and stops it when the
// script exits.
import { spawn } from 'node:child_process';

/**
 * Starts `vite preview` on `port` from `root` and resolves once `readyPath` answers; the server dies with this
 * process. `config` is the Vite config whose build it serves (its outDir, its preview headers); `outDir`
 * overrides where that build is.
 */
export async function startPreviewServer(root, port, { config, outDir, readyPath = '/' } = {}) {
  const base = `http://127.0.0.1:${port}`;
  const server = spawn(
    'npx',
    [
      'vite',
      'preview',
      ...(config ? ['--config', config] : []),
      ...(outDir ? ['--outDir', outDir] : []),
      '--port',
      String(port),
      '--strictPort',
      '--host',
      '127.0.0.1',
    ],
    {
      cwd: root,
      stdio: 'ignore',
      detached: true,
    },
  );
  const stop = () => {
    try {
      process.kill(-server.pid);
    } catch {
      /* already gone */
    }
  };
  process.on('exit', stop);
  for (let i = 0; ; i++) {
    try {
      if ((await fetch(`${base}${readyPath}`)).ok) return { base, stop };
    } catch {
      /* not listening yet */
    }
    // A server that answers, but not with this page (a build without it), counts as not answering.
    if (i > 150) throw new Error(`vite preview did not serve ${readyPath} on ${base}`);
    await new Promise((r) => setTimeout(r, 200));
  }
}
