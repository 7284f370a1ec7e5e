/**
 * The web build (dist/web, made by `npm run build`) as static files: files under the root by
 * their path, `index.html` for any other path without an extension (deep links such as
 * `/srv/s1/f1/t1` are the app's own routes), 404 for a missing asset. Without a build, one clear
 * page that says how to make it.
 */

import { createReadStream } from 'node:fs';
import { stat } from 'node:fs/promises';
import type { ServerResponse } from 'node:http';
import { extname, join, resolve, sep } from 'node:path';
import { fileURLToPath } from 'node:url';

const TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.mjs': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.json': 'application/json; charset=utf-8',
  '.map': 'application/json; charset=utf-8',
  '.webmanifest': 'application/manifest+json; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.jpg': 'image/jpeg',
  '.gif': 'image/gif',
  '.ico': 'image/x-icon',
  '.woff': 'font/woff',
  '.woff2': 'font/woff2',
  '.ttf': 'font/ttf',
  '.wasm': 'application/wasm',
  '.txt': 'text/plain; charset=utf-8',
  '.ogg': 'audio/ogg',
  '.mp3': 'audio/mpeg',
};

/** dist/web next to this compiled module (dist/src/server/ → dist/web). */
export function defaultWebRoot(): string {
  return fileURLToPath(new URL('../../web/', import.meta.url));
}

const NOT_BUILT = `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>ecflow-remote: web UI not built</title></head>
<body style="font-family: sans-serif; max-width: 40em; margin: 3em auto">
<h1>The web UI is not built</h1>
<p>This ecflow-remote has no <code>dist/web</code>. In the ecflow-remote folder run</p>
<pre>npm run build</pre>
<p>then start <code>ecflow-remote ui</code> again.</p>
</body></html>
`;

/**
 * Answer a GET/HEAD for `pathname` from `root`. `headers` are added to every answer.
 * Returns after the response is ended (or piped).
 */
export async function serveStatic(root: string, pathname: string, head: boolean, res: ServerResponse, headers: Record<string, string>): Promise<void> {
  const base = resolve(root);
  let rel: string;
  try {
    rel = decodeURIComponent(pathname);
  } catch {
    return plain(res, 400, 'bad path', headers);
  }
  if (rel.includes('\0')) return plain(res, 400, 'bad path', headers);
  const target = resolve(join(base, rel));
  if (target !== base && !target.startsWith(base + sep)) return plain(res, 404, 'not found', headers);

  let file = target;
  let info = await stat(file).catch(() => undefined);
  if (info?.isDirectory()) {
    file = join(file, 'index.html');
    info = await stat(file).catch(() => undefined);
  }
  if (info === undefined || !info.isFile()) {
    if (extname(rel) !== '') return plain(res, 404, 'not found', headers);
    file = join(base, 'index.html');
    info = await stat(file).catch(() => undefined);
    if (info === undefined || !info.isFile()) {
      res.writeHead(503, { ...headers, 'Content-Type': 'text/html; charset=utf-8', 'Cache-Control': 'no-store' });
      res.end(head ? undefined : NOT_BUILT);
      return;
    }
  }
  const type = TYPES[extname(file).toLowerCase()] ?? 'application/octet-stream';
  const immutable = rel.startsWith('/assets/') && extname(file) !== '.html';
  res.writeHead(200, {
    ...headers,
    'Content-Type': type,
    'Content-Length': String(info.size),
    'Cache-Control': immutable ? 'private, max-age=31536000, immutable' : 'no-cache',
  });
  if (head) {
    res.end();
    return;
  }
  await new Promise<void>((done) => {
    const stream = createReadStream(file);
    stream.on('error', () => {
      res.destroy();
      done();
    });
    stream.on('end', () => done());
    stream.pipe(res);
  });
}

export function plain(res: ServerResponse, status: number, text: string, headers: Record<string, string>): void {
  res.writeHead(status, { ...headers, 'Content-Type': 'text/plain; charset=utf-8', 'Cache-Control': 'no-store' });
  res.end(`${text}\n`);
}
