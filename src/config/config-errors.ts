/**
 * Configuration errors: one EcflowError (code CONFIG) per broken file, naming the file, the line
 * and the key, e.g.
 *
 *   /home/u/.config/ecflow-remote/config.toml:9: servers.op.prot: unknown key; did you mean 'port'?
 *
 * Values are never echoed (only their TOML type, or a number), so nothing secret that was typed
 * into the wrong key ends up in a message or a log.
 */

import { EcflowError, ErrorCode } from '../errors.js';
import type { KeyPath } from './toml-locate.js';

/** Where a config mistake is. */
export interface ConfigErrorLocation {
  /** The config file (or a description, e.g. "<path> (not written)"). */
  readonly file: string;
  /** 1-based line, when known. */
  readonly line?: number;
  /** 1-based column (TOML syntax errors). */
  readonly column?: number;
  /** `servers.op.port` style key path, when the error is about a key. */
  readonly key?: string;
}

/**
 * A CONFIG error with where it is, for a UI that wants to point at the line. The message is
 * `file:line: key: what` (`file:line:column: what` for syntax errors).
 */
export class EcflowConfigError extends EcflowError {
  readonly file: string;
  readonly line: number | undefined;
  readonly column: number | undefined;
  readonly key: string | undefined;
  constructor(where: ConfigErrorLocation, text: string, options?: { cause?: unknown }) {
    const position = [where.file, where.line, where.line === undefined ? undefined : where.column].filter((p) => p !== undefined).join(':');
    super(ErrorCode.CONFIG, where.key === undefined ? `${position}: ${text}` : `${position}: ${where.key}: ${text}`, options);
    this.name = 'EcflowConfigError';
    this.file = where.file;
    this.line = where.line;
    this.column = where.column;
    this.key = where.key;
  }
}

/** `servers.op.port`; parts that are not bare TOML keys are quoted: `servers."a b".port`. */
export function formatKeyPath(path: KeyPath): string {
  return path
    .map((p) => (typeof p === 'number' ? `[${p}]` : /^[A-Za-z0-9_-]+$/.test(p) ? p : JSON.stringify(p)))
    .join('.')
    .replace(/\.\[/g, '[');
}

/** Edit distance (insert, delete, substitute, swap of neighbours). */
export function editDistance(a: string, b: string): number {
  const d: number[][] = Array.from({ length: a.length + 1 }, (_, i) => [i, ...Array<number>(b.length).fill(0)]);
  for (let j = 1; j <= b.length; j++) (d[0] as number[])[j] = j;
  for (let i = 1; i <= a.length; i++) {
    const row = d[i] as number[];
    const prev = d[i - 1] as number[];
    for (let j = 1; j <= b.length; j++) {
      const cost = a[i - 1] === b[j - 1] ? 0 : 1;
      let v = Math.min((prev[j] ?? 0) + 1, (row[j - 1] ?? 0) + 1, (prev[j - 1] ?? 0) + cost);
      if (i > 1 && j > 1 && a[i - 1] === b[j - 2] && a[i - 2] === b[j - 1]) v = Math.min(v, ((d[i - 2] as number[])[j - 2] ?? 0) + 1);
      row[j] = v;
    }
  }
  return (d[a.length] as number[])[b.length] ?? 0;
}

const normalise = (s: string): string => s.toLowerCase().replace(/[-_\s]/g, '');

/**
 * The known word closest to `word`, if it is close enough to be a likely typo: same letters
 * ignoring case, `-` and `_` (remoteUser, remote-user), or an edit distance of at most 1 for short
 * words and 2 (a third of the length) for longer ones, else one that begins with the other
 * (password → password_file, hostname → host).
 */
export function suggest(word: string, known: Iterable<string>): string | undefined {
  let best: string | undefined;
  let bestDistance = Number.POSITIVE_INFINITY;
  for (const candidate of known) {
    if (normalise(candidate) === normalise(word)) return candidate;
    const distance = editDistance(word.toLowerCase(), candidate.toLowerCase());
    if (distance < bestDistance) {
      best = candidate;
      bestDistance = distance;
    }
  }
  const limit = word.length <= 4 ? 1 : Math.min(3, Math.max(2, Math.floor(word.length / 3)));
  if (bestDistance <= limit) return best;
  // a shortened or lengthened key: password → password_file, hostname → host
  const w = normalise(word);
  if (w.length < 4) return undefined;
  for (const candidate of known) {
    const c = normalise(candidate);
    if (c.length >= 4 && (c.startsWith(w) || w.startsWith(c))) return candidate;
  }
  return undefined;
}

/** The TOML type of a parsed value, for "found a …" in messages. */
export function tomlTypeName(value: unknown): string {
  if (typeof value === 'string') return 'a string';
  if (typeof value === 'bigint') return 'an integer';
  if (typeof value === 'number') return 'a float';
  if (typeof value === 'boolean') return 'a boolean';
  if (Array.isArray(value)) return 'an array';
  if (value instanceof Date || (typeof value === 'object' && value !== null && typeof (value as { toISOString?: unknown }).toISOString === 'function')) {
    return 'a date/time';
  }
  if (typeof value === 'object' && value !== null) return 'a table';
  return 'nothing';
}
