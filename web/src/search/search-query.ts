/**
 * Node search (ecflow_ui "Search", reference §1.6): name or path by wildcard, regular expression,
 * substring or exact text; states (with suspended); kinds; flags. Compiled once into a matcher the
 * sync worker runs over the typed arrays. Pure module.
 */

import { KIND_NAMES, type KindName } from '../tree/snapshot-decode.js';

export type TextMatch = 'wildcard' | 'regex' | 'contains' | 'exact';

export interface SearchQuery {
  /** Text to match; '' matches every name. */
  readonly text: string;
  readonly match: TextMatch;
  /** Match the node name or its full path; 'auto' = path when the text contains '/'. */
  readonly on: 'name' | 'path' | 'auto';
  readonly caseSensitive: boolean;
  /** nstate values 0-5 and 8 for suspended; empty = any state. */
  readonly states: readonly number[];
  /** Empty = any kind. */
  readonly kinds: readonly KindName[];
  /** Flag bitmask: nodes with ANY of these flags; 0 = any. */
  readonly flags: number;
  /** Server names; empty = all servers. */
  readonly servers: readonly string[];
  /** Stop after this many hits (default 10000). */
  readonly limit?: number;
}

export interface SearchHit {
  readonly server: string;
  readonly epoch: number;
  readonly node: number;
  readonly path: string;
}

export interface CompiledQuery {
  readonly onPath: boolean;
  /** undefined: every text matches. */
  readonly test: ((text: string) => boolean) | undefined;
  readonly stateMask: number;
  readonly suspended: boolean;
  readonly kindMask: number;
  readonly flags: number;
  readonly servers: ReadonlySet<string> | undefined;
  readonly limit: number;
}

function escapeRegex(s: string): string {
  return s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

/** `*` any run of characters, `?` one character; anchored at both ends. */
export function wildcardToRegex(glob: string): string {
  let out = '';
  for (const ch of glob) out += ch === '*' ? '.*' : ch === '?' ? '.' : escapeRegex(ch);
  return '^' + out + '$';
}

/**
 * Compile a query; throws SyntaxError for a bad regular expression.
 *
 * @example
 * const q = compileQuery({ text: 't1*', match: 'wildcard', on: 'auto', caseSensitive: false,
 *   states: [3], kinds: [], flags: 0, servers: [] });
 * q.test?.('t10'); // true
 */
export function compileQuery(q: SearchQuery): CompiledQuery {
  const onPath = q.on === 'path' || (q.on === 'auto' && q.text.includes('/'));
  let test: ((text: string) => boolean) | undefined;
  const text = q.text.trim();
  if (text !== '') {
    const flags = q.caseSensitive ? '' : 'i';
    if (q.match === 'regex') {
      const re = new RegExp(text, flags);
      test = (s) => re.test(s);
    } else if (q.match === 'wildcard') {
      // A path pattern without a leading '/' matches at any depth ('f1/t*').
      const glob = onPath && !text.startsWith('/') && !text.startsWith('*') ? '*/' + text : text;
      const re = new RegExp(wildcardToRegex(glob), flags);
      test = (s) => re.test(s);
    } else if (q.match === 'contains') {
      const needle = q.caseSensitive ? text : text.toLowerCase();
      test = q.caseSensitive ? (s) => s.includes(needle) : (s) => s.toLowerCase().includes(needle);
    } else {
      const needle = q.caseSensitive ? text : text.toLowerCase();
      test = q.caseSensitive ? (s) => s === needle : (s) => s.toLowerCase() === needle;
    }
  }
  let stateMask = 0;
  let suspended = false;
  for (const s of q.states) {
    if (s === 8) suspended = true;
    else if (s >= 0 && s < 8) stateMask |= 1 << s;
  }
  let kindMask = 0;
  for (const k of q.kinds) {
    const i = KIND_NAMES.indexOf(k);
    if (i >= 0) kindMask |= 1 << i;
  }
  return {
    onPath,
    test,
    stateMask,
    suspended,
    kindMask,
    flags: q.flags | 0,
    servers: q.servers.length > 0 ? new Set(q.servers) : undefined,
    limit: q.limit ?? 10000,
  };
}

/** Does a node's state/kind/flags pass the non-text part of the query? */
export function passesFilters(q: CompiledQuery, state: number, kind: number, flags: number): boolean {
  if (q.kindMask !== 0 && (q.kindMask & (1 << kind)) === 0) return false;
  if (q.flags !== 0 && (flags & q.flags) === 0) return false;
  if (q.stateMask !== 0 || q.suspended) {
    const inState = (q.stateMask & (1 << (state & 7))) !== 0;
    const inSuspended = q.suspended && (state & 8) !== 0;
    if (!inState && !inSuspended) return false;
  }
  return true;
}
