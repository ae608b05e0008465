/** The few static files the pages use, served from memory with long-lived caching: our CSS and htmx itself. */
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';
import { Hono } from 'hono';
import type { AppBindings } from '../api/context.ts';

const require = createRequire(import.meta.url);

interface Asset {
  body: Buffer;
  type: string;
  etag: string;
}

function load(path: string, type: string): Asset {
  const body = readFileSync(path);
  return { body, type, etag: `"${createHash('sha256').update(body).digest('base64url').slice(0, 16)}"` };
}

/** Read once at start-up: the files are small, and a missing one should fail the boot, not a request. */
export function loadStaticAssets(): Record<string, Asset> {
  return {
    '/static/app.css': load(
      fileURLToPath(new URL('../../public/app.css', import.meta.url)),
      'text/css; charset=utf-8',
    ),
    '/static/favicon.svg': load(
      fileURLToPath(new URL('../../public/favicon.svg', import.meta.url)),
      'image/svg+xml',
    ),
    '/static/htmx.js': load(require.resolve('htmx.org/dist/htmx.min.js'), 'text/javascript; charset=utf-8'),
  };
}

export function staticRoutes() {
  const assets = loadStaticAssets();
  const router = new Hono<AppBindings>();
  for (const [path, asset] of Object.entries(assets)) {
    router.get(path, (c) => {
      c.header('ETag', asset.etag);
      // Not immutable: the URLs carry no version, so browsers revalidate (cheap, thanks to the ETag).
      c.header('Cache-Control', 'public, max-age=300, must-revalidate');
      if (c.req.header('if-none-match') === asset.etag) return c.body(null, 304);
      c.header('Content-Type', asset.type);
      return c.body(new Uint8Array(asset.body));
    });
  }
  return router;
}
