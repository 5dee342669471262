// Serves the production build (dist/) with `vite preview` for the scripts that drive it (bench, soak), and
// stops it when the script exits.
import { spawn } from 'node:child_process';

/** Starts `vite preview` on `port` from `root` and resolves once it answers; the server dies with this process. */
export async function startPreviewServer(root, port) {
  const base = `http://127.0.0.1:${port}`;
  const server = spawn(
    'npx',
    ['vite', 'preview', '--port', String(port), '--strictPort', '--host', '127.0.0.1'],
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
      if ((await fetch(base)).ok) return { base, stop };
    } catch {
      if (i > 150) throw new Error(`vite preview did not answer on ${base}`);
    }
    await new Promise((r) => setTimeout(r, 200));
  }
}
