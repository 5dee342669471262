import type { Plugin } from 'vite';

import { headersFileText } from './securityHeaders.ts';

/**
 * Writes dist/_headers: static hosts (Netlify, Cloudflare Pages) cannot be configured from vite.config.ts, so
 * the production build carries its own headers, made from the same data as the preview server's.
 */
export function headersFile(headers: Record<string, string>): Plugin {
  return {
    name: 'headers-file',
    apply: 'build',
    generateBundle() {
      this.emitFile({ type: 'asset', fileName: '_headers', source: headersFileText(headers) });
    },
  };
}
