/**
 * The answers to the panels' requests, read leniently. `request()` answers `unknown`; these
 * functions turn what the local server sends into the shapes the panels render, accepting the
 * forms a reply may reasonably take (a string, a list of lines, an object with `text`/`lines`),
 * so a field added on the server side never breaks a panel.
 */

export type Json = Record<string, unknown>;

export function isObj(v: unknown): v is Json {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

export function str(v: unknown): string | undefined {
  return typeof v === 'string' ? v : typeof v === 'number' ? String(v) : undefined;
}

export function num(v: unknown): number | undefined {
  return typeof v === 'number' && Number.isFinite(v) ? v : typeof v === 'string' && /^-?\d+(\.\d+)?$/.test(v) ? Number(v) : undefined;
}

/** First present field among `keys`. */
export function pick(o: Json, ...keys: string[]): unknown {
  for (const k of keys) if (o[k] !== undefined && o[k] !== null) return o[k];
  return undefined;
}

/** Text of a reply that is text: a string, lines, or `{text|content|lines}`. */
export function textOf(v: unknown): string {
  if (typeof v === 'string') return v;
  if (Array.isArray(v)) return v.map((x) => (typeof x === 'string' ? x : (str(isObj(x) ? pick(x, 'text', 'line') : x) ?? JSON.stringify(x)))).join('\n');
  if (isObj(v)) {
    const t = pick(v, 'text', 'content', 'lines', 'log', 'history');
    if (t !== undefined) return textOf(t);
  }
  return v === undefined || v === null ? '' : JSON.stringify(v, null, 2);
}

/** A file reply (script, job, manual): its text and where it came from. */
export interface FileData {
  readonly text: string;
  readonly path?: string;
  readonly note?: string;
}

export function fileData(v: unknown): FileData {
  const text = textOf(v);
  if (!isObj(v)) return { text };
  const path = str(pick(v, 'path', 'file'));
  const note = str(pick(v, 'sourceDescription', 'source', 'note'));
  return { text, ...(path !== undefined ? { path } : {}), ...(note !== undefined ? { note } : {}) };
}

// ---- output ----

export interface OutputTryData {
  readonly tryNo: number;
  readonly path: string;
  readonly current: boolean;
  readonly size?: number;
  readonly mtime?: number;
}

export interface OutputAttemptData {
  readonly description: string;
  readonly message: string;
}

export interface OutputData {
  readonly text: string;
  readonly sourceDescription: string;
  readonly path: string;
  readonly tryNo?: number;
  readonly truncated: boolean;
  /** For output-more: bytes, mtime, checksum of what we have. */
  readonly size?: number;
  readonly mtime?: number;
  readonly checksum?: string;
  readonly tries: readonly OutputTryData[];
  readonly attempts: readonly OutputAttemptData[];
}

function errorText(e: unknown): string {
  if (typeof e === 'string') return e;
  if (isObj(e)) return str(pick(e, 'serverMessage', 'message')) ?? JSON.stringify(e);
  return String(e);
}

export function outputData(v: unknown): OutputData {
  const o = isObj(v) ? v : { content: textOf(v) };
  const text = textOf(pick(o, 'content', 'text', 'lines') ?? '');
  const triesRaw = pick(o, 'tries');
  const tries: OutputTryData[] = Array.isArray(triesRaw)
    ? triesRaw.filter(isObj).map((t) => {
        const size = num(t['size']);
        const mtime = num(t['mtime']);
        return {
          tryNo: num(t['tryNo']) ?? 0,
          path: str(t['path']) ?? '',
          current: t['current'] === true,
          ...(size !== undefined ? { size } : {}),
          ...(mtime !== undefined ? { mtime } : {}),
        };
      })
    : [];
  const attemptsRaw = pick(o, 'attempts', 'failures');
  const attempts: OutputAttemptData[] = Array.isArray(attemptsRaw)
    ? attemptsRaw.map((a) =>
        isObj(a)
          ? { description: str(pick(a, 'description', 'source')) ?? '', message: errorText(pick(a, 'error', 'message') ?? '') }
          : { description: '', message: String(a) },
      )
    : [];
  const tryNo = num(o['tryNo']);
  const size = num(o['size']);
  const mtime = num(o['mtime']);
  const checksum = str(o['checksum']);
  let description = str(pick(o, 'sourceDescription', 'source')) ?? '';
  if (description === 'logserver' || description === 'server') description = `${description === 'server' ? 'ecflow server' : 'log server'}`;
  return {
    text,
    sourceDescription: description,
    path: str(o['path']) ?? '',
    truncated: o['truncated'] === true,
    tries,
    attempts,
    ...(tryNo !== undefined ? { tryNo } : {}),
    ...(size !== undefined ? { size } : {}),
    ...(mtime !== undefined ? { mtime } : {}),
    ...(checksum !== undefined ? { checksum } : {}),
  };
}

export interface OutputMoreData {
  readonly kind: 'unchanged' | 'appended' | 'replaced';
  readonly text: string;
  readonly size?: number;
  readonly mtime?: number;
  readonly checksum?: string;
}

export function outputMoreData(v: unknown): OutputMoreData {
  if (v === null || v === undefined || v === false) return { kind: 'unchanged', text: '' };
  if (typeof v === 'string') return { kind: v === '' ? 'unchanged' : 'appended', text: v };
  const o = isObj(v) ? v : {};
  const text = textOf(pick(o, 'text', 'content', 'appended') ?? '');
  const k = str(pick(o, 'kind', 'change'));
  const kind: OutputMoreData['kind'] =
    k === 'replaced' || k === 'content' ? 'replaced' : k === 'appended' ? 'appended' : k === 'unchanged' || text === '' ? 'unchanged' : 'appended';
  const size = num(o['size']);
  const mtime = num(o['mtime']);
  const checksum = str(o['checksum']);
  return {
    kind,
    text,
    ...(size !== undefined ? { size } : {}),
    ...(mtime !== undefined ? { mtime } : {}),
    ...(checksum !== undefined ? { checksum } : {}),
  };
}

/** UTF-8 byte length (the log server counts bytes for `delta`). */
export function byteLength(text: string): number {
  return new TextEncoder().encode(text).length;
}

/** A list inside a reply: the reply itself when it is an array, else the first array field among keys. */
export function listOf(v: unknown, ...keys: string[]): unknown[] {
  if (Array.isArray(v)) return v;
  if (isObj(v)) {
    const l = pick(v, ...keys);
    if (Array.isArray(l)) return l;
  }
  return [];
}
