/**
 * Test-only helper: loads the captured exchanges of ../shared/vectors (ecFlow 5.9.2) and
 * ../shared/vectors-5.17 (ecflow-protocol.md §17, ecflow-protocol-5.17.md §10).
 *
 * The shared folder is `$ECFLOW_SHARED`, else `<repo root>/../shared`, the repo root being found
 * from this compiled file (dist/src/protocol/test-vectors.js is three levels below it).
 *
 * This file lives in src/protocol/, which must stay free of Node types (tsconfig.pure.json), so
 * node:fs and node:path are reached through dynamic imports and minimal local interfaces.
 */

/** One captured exchange. `file` is the path relative to the set's folder. */
export interface TestVector {
  file: string;
  name: string;
  sequence?: number;
  server: string;
  client?: string;
  /** The exact request bytes decoded as UTF-8: 8-char header + JSON (raw HTTP for http-*, text for logsvr-*). */
  request_raw: string;
  /** The exact reply bytes; '' when the server sent nothing (crash probes, replay probes). */
  response_raw: string;
  /** replay-of-5.9.2 only: the reply of the live 5.9.2 control server. */
  response_raw_592_live?: string;
  request_bytes?: number;
  response_bytes: number;
  request_type?: string;
  response_type?: string | null;
  note: string | null;
}

/** Which kind of exchange a vector holds. */
export type VectorKind = 'frame' | 'http' | 'logsvr' | 'crash';

interface MinimalFs {
  readdirSync(path: string, options: { withFileTypes: true }): { name: string; isDirectory(): boolean }[];
  readFileSync(path: string, encoding: 'utf8'): string;
}
interface MinimalPath {
  join(...parts: string[]): string;
  resolve(...parts: string[]): string;
  dirname(path: string): string;
  relative(from: string, to: string): string;
}
interface MinimalUrl {
  fileURLToPath(url: string): string;
}

async function nodeModule<T>(name: string): Promise<T> {
  return (await import(name)) as T;
}

/**
 * The shared folder: `$ECFLOW_SHARED`, else `../shared` next to the repository root.
 *
 * @example
 * const dir = await sharedDir(); // '/work/shared'
 */
export async function sharedDir(): Promise<string> {
  const path = await nodeModule<MinimalPath>('node:path');
  const url = await nodeModule<MinimalUrl>('node:url');
  const env = (globalThis as unknown as { process?: { env?: Record<string, string | undefined> } }).process?.env;
  const fromEnv = env?.['ECFLOW_SHARED'];
  if (fromEnv !== undefined && fromEnv !== '') return fromEnv;
  const here = path.dirname(url.fileURLToPath((import.meta as unknown as { url: string }).url));
  const root = path.resolve(here, '..', '..', '..');
  return path.resolve(root, '..', 'shared');
}

/**
 * Every vector of a set, sorted by file path (sub-folders such as `replay-of-5.9.2/` included).
 *
 * @example
 * const vectors = await loadVectors('5.17');
 * const ping = vectors.find((v) => v.file === '001-ping.json');
 */
export async function loadVectors(set: '5.9.2' | '5.17'): Promise<TestVector[]> {
  const fs = await nodeModule<MinimalFs>('node:fs');
  const path = await nodeModule<MinimalPath>('node:path');
  const base = path.join(await sharedDir(), set === '5.9.2' ? 'vectors' : 'vectors-5.17');
  const files: string[] = [];
  const walk = (dir: string): void => {
    for (const entry of fs.readdirSync(dir, { withFileTypes: true })) {
      const p = path.join(dir, entry.name);
      if (entry.isDirectory()) walk(p);
      else if (entry.name.endsWith('.json')) files.push(p);
    }
  };
  walk(base);
  files.sort();
  return files.map((p) => {
    const parsed = JSON.parse(fs.readFileSync(p, 'utf8')) as Omit<TestVector, 'file'>;
    return { ...parsed, file: path.relative(base, p) };
  });
}

/**
 * The kind of a vector: `frame` (an ordinary ecFlow exchange), `http` (5.14+ HTTP transport,
 * raw HTTP text), `logsvr` (log server, not ecFlow frames), `crash` (a request that kills the server:
 * encode/compare only, never send).
 *
 * @example
 * vectorKind({ file: 'raw-CRASH-sync-full-unknown-handle.json' } as TestVector); // 'crash'
 */
export function vectorKind(v: Pick<TestVector, 'file'>): VectorKind {
  const base = v.file.slice(v.file.lastIndexOf('/') + 1);
  if (base.startsWith('logsvr-')) return 'logsvr';
  if (base.startsWith('http-')) return 'http';
  if (base.startsWith('raw-CRASH-')) return 'crash';
  return 'frame';
}

/**
 * The JSON text of a raw frame (drops the 8-char header), or of a raw HTTP message (drops the
 * head up to the blank line). Returns undefined for an empty capture.
 *
 * @example
 * rawJson('      ee{"22Server..."}'); // '{"22Server..."}'
 */
export function rawJson(raw: string): string | undefined {
  if (raw === '') return undefined;
  if (raw.startsWith('POST ') || raw.startsWith('HTTP/')) {
    const at = raw.indexOf('\r\n\r\n');
    return at < 0 ? undefined : raw.slice(at + 4);
  }
  return raw.slice(8);
}
