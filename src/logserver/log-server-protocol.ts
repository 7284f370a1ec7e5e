/**
 * The log server protocol (ecflow-protocol.md §14): request lines and reply parsing for
 * `ecflow_logsvr`, the perl server that serves job output files from the machine where jobs run.
 *
 *   request  "<verb> <args>\n"          one per connection; the reply ends when the server closes
 *   version  "2"
 *   get      the raw file
 *   getf     "0:<mtime>:<checksum>:" + the whole file
 *   delta    "1" (unchanged) | "1:<mtime>:<checksum>:" + bytes from pos | "0:<mtime>:<checksum>:" + file
 *   list     "mode uid gid size atime mtime ctime path\n" per file sharing the basename stem
 *   error    zero bytes (outside LOGPATH, missing file, unknown verb: the server cannot tell which)
 *
 * `checksum` is the SHA-1 hex of the first 1024 bytes, or `x` when the server lacks Digest::SHA1.
 * Replies are bytes: job output need not be UTF-8 (see `decodeOutput`).
 *
 * Pure module: no Node or DOM types.
 */

import { EcflowBugError, EcflowError, ErrorCode, type EcflowErrorOptions } from '../errors.js';

/** The protocol version that supports getf/delta (ecflow_ui only uses them with this answer). */
export const LOG_SERVER_PROTOCOL_VERSION = 2;
/** The checksum the server sends (and accepts) when it has no SHA-1 module. */
export const NO_CHECKSUM = 'x';
/** Bytes of the file start the checksum covers. */
export const CHECKSUM_PREFIX_BYTES = 1024;

export type LogServerVerb = 'version' | 'get' | 'getf' | 'delta' | 'list';

/** A whole file with the metadata `delta` needs (getf, or delta when the file was replaced). */
export interface LogServerFile {
  /** Modification time, Unix seconds (0 when the server could not stat the file). */
  readonly mtime: number;
  /** SHA-1 hex of the first 1024 bytes, or `x`. */
  readonly checksum: string;
  /** The file's bytes. */
  readonly content: Uint8Array;
}

export type LogServerDelta =
  /** Size equals `pos` and mtime matches: nothing to fetch. */
  | { readonly kind: 'unchanged' }
  /** The file grew: the bytes from `pos` to its end. */
  | { readonly kind: 'appended'; readonly mtime: number; readonly checksum: string; readonly bytes: Uint8Array }
  /** Anything else (touched, truncated, replaced, pos beyond the end): the whole file. */
  | ({ readonly kind: 'full' } & LogServerFile);

/** One line of a `list` reply: `stat` fields of a file next to the requested one. */
export interface LogServerEntry {
  readonly mode: number;
  readonly uid: number;
  readonly gid: number;
  readonly size: number;
  /** Unix seconds. */
  readonly atime: number;
  readonly mtime: number;
  readonly ctime: number;
  /** Full path as the log server sees it (after its LOGMAP). */
  readonly path: string;
}

/**
 * The log server closed the connection without sending a byte. ecflow_logsvr answers this way to a
 * path outside its LOGPATH, a missing file and an unknown verb alike, so the message names all
 * three. Code SERVER: the log server refused the request.
 */
export class LogServerRefusedError extends EcflowError {
  /** `host:port` of the log server. */
  readonly address: string;
  /** The request line without its newline, e.g. `getf /home/ops/s1/t1.1`. */
  readonly request: string;
  constructor(address: string, request: string, options?: EcflowErrorOptions) {
    const verb = request.split(' ', 1)[0] ?? '';
    const emptyFile = verb === 'get' ? ', or the file is empty (get cannot tell; getf can)' : '';
    const noMatch = verb === 'list' ? ', or no file there shares the name stem' : '';
    super(
      ErrorCode.SERVER,
      `log server ${address} sent nothing for '${request}': the file does not exist, is outside the ` +
        `log server's LOGPATH, or the request is not understood${emptyFile}${noMatch} ` +
        `(ecflow_logsvr gives the same empty answer for all of these)`,
      options,
    );
    this.name = 'LogServerRefusedError';
    this.address = address;
    this.request = request;
  }
}

/**
 * The request line for `verb` (with its newline), after checking the arguments: a path must be
 * non-empty, without line breaks or NUL, and without leading/trailing blanks (the server splits
 * the line on whitespace and its `open` trims blanks, so such a path would name another file).
 *
 * @example formatRequest('delta', ['734', '1795677291', 'x', '/home/ops/s1/t1.1'])
 * // 'delta 734 1795677291 x /home/ops/s1/t1.1\n'
 */
export function formatRequest(verb: LogServerVerb, args: readonly string[] = []): string {
  for (const a of args) checkArgument(a);
  return args.length === 0 ? `${verb}\n` : `${verb} ${args.join(' ')}\n`;
}

/** Throws INVALID_ARGUMENT unless `path` can be sent to the log server as is. */
export function checkLogServerPath(path: string): void {
  if (typeof path !== 'string' || path === '') {
    throw new EcflowError(ErrorCode.INVALID_ARGUMENT, 'log server request: the file path is empty');
  }
  checkArgument(path);
}

function checkArgument(a: string): void {
  if (/[\n\r\0]/.test(a)) {
    throw new EcflowError(
      ErrorCode.INVALID_ARGUMENT,
      `log server request: '${a.replace(/[\n\r\0]/g, '?')}' contains a line break or NUL`,
    );
  }
  if (a === '' || /^\s|\s$/.test(a)) {
    throw new EcflowError(
      ErrorCode.INVALID_ARGUMENT,
      `log server request: argument '${a}' is empty or starts/ends with a blank`,
    );
  }
}

/** The `version` reply as a number (`2` for ecflow_logsvr). */
export function parseVersion(reply: Uint8Array): number {
  const text = latin1(reply, 0, Math.min(reply.length, 32)).trim();
  if (!/^\d+$/.test(text) || reply.length > 32) {
    throw new EcflowError(ErrorCode.DECODE, `log server version reply is not a number: '${text}'`);
  }
  return Number(text);
}

/** A `getf` reply: `0:<mtime>:<checksum>:` then the file. */
export function parseGetfReply(reply: Uint8Array): LogServerFile {
  const h = parseHeader(reply, 'getf');
  if (h.flag !== '0') throw badHeader(reply, 'getf', `flag '${h.flag}', expected '0'`);
  return { mtime: h.mtime, checksum: h.checksum, content: reply.subarray(h.end) };
}

/** A `delta` reply: `1` alone, or a header with flag 1 (appended bytes) or 0 (whole file). */
export function parseDeltaReply(reply: Uint8Array): LogServerDelta {
  if (reply.length === 1 && reply[0] === 0x31 /* 1 */) return { kind: 'unchanged' };
  const h = parseHeader(reply, 'delta');
  const rest = reply.subarray(h.end);
  return h.flag === '1'
    ? { kind: 'appended', mtime: h.mtime, checksum: h.checksum, bytes: rest }
    : { kind: 'full', mtime: h.mtime, checksum: h.checksum, content: rest };
}

/**
 * A `list` reply: `mode uid gid size atime mtime ctime path` per line (the path may hold blanks).
 * Lines that do not fit are skipped.
 */
export function parseListReply(reply: Uint8Array): LogServerEntry[] {
  const out: LogServerEntry[] = [];
  for (const line of decodeOutput(reply).split('\n')) {
    const m = /^(\d+) (\d+) (\d+) (\d+) (\d+) (\d+) (\d+) (.+)$/.exec(line);
    if (m === null) continue;
    out.push({
      mode: Number(m[1]),
      uid: Number(m[2]),
      gid: Number(m[3]),
      size: Number(m[4]),
      atime: Number(m[5]),
      mtime: Number(m[6]),
      ctime: Number(m[7]),
      path: m[8]!,
    });
  }
  return out;
}

/** A UTF-8 decoder that never throws; `stream: true` keeps a split character for the next call. */
export interface OutputDecoder {
  decode(input: Uint8Array, options?: { stream?: boolean }): string;
}

interface TextDecoderGlobal {
  TextDecoder?: new (label: string, options: { fatal: boolean; ignoreBOM: boolean }) => OutputDecoder;
}

/**
 * A lenient UTF-8 decoder (invalid sequences become U+FFFD) from the platform's `TextDecoder`,
 * reached through a minimal interface so this module needs neither DOM nor Node types.
 *
 * @example const d = createOutputDecoder(); d.decode(piece1, { stream: true }) + d.decode(piece2, { stream: true })
 */
export function createOutputDecoder(): OutputDecoder {
  const Ctor = (globalThis as unknown as TextDecoderGlobal).TextDecoder;
  if (Ctor === undefined) throw new EcflowBugError('TextDecoder is not available on this platform');
  return new Ctor('utf-8', { fatal: false, ignoreBOM: true });
}

let shared: OutputDecoder | undefined;

/**
 * Job output bytes as text for display: UTF-8, invalid sequences become U+FFFD (never throws).
 * For output arriving in pieces use `createOutputDecoder()` with `{ stream: true }` instead, so a
 * character split between two pieces survives.
 */
export function decodeOutput(bytes: Uint8Array): string {
  return (shared ??= createOutputDecoder()).decode(bytes);
}

interface Header {
  readonly flag: string;
  readonly mtime: number;
  readonly checksum: string;
  /** Offset of the first content byte. */
  readonly end: number;
}

/** Longest header accepted: flag, 20-digit mtime, 40-hex checksum, colons, with room to spare. */
const MAX_HEADER = 128;

/**
 * `<flag>:<mtime>:<checksum>:` at the start of `reply`. The perl server writes `0:::` when it
 * cannot stat the file (mtime 0, checksum '').
 */
function parseHeader(reply: Uint8Array, verb: string): Header {
  const colons: number[] = [];
  const limit = Math.min(reply.length, MAX_HEADER);
  for (let i = 0; i < limit && colons.length < 3; i++) if (reply[i] === 0x3a /* : */) colons.push(i);
  if (colons.length < 3) throw badHeader(reply, verb, 'expected <flag>:<mtime>:<checksum>:');
  const [c1, c2, c3] = colons as [number, number, number];
  const flag = latin1(reply, 0, c1);
  const mtimeText = latin1(reply, c1 + 1, c2);
  const checksum = latin1(reply, c2 + 1, c3);
  if (flag !== '0' && flag !== '1') throw badHeader(reply, verb, `flag '${flag}'`);
  if (!/^\d*$/.test(mtimeText)) throw badHeader(reply, verb, `mtime '${mtimeText}'`);
  if (/[\s:]/.test(checksum)) throw badHeader(reply, verb, `checksum '${checksum}'`);
  return { flag, mtime: mtimeText === '' ? 0 : Number(mtimeText), checksum, end: c3 + 1 };
}

function badHeader(reply: Uint8Array, verb: string, what: string): EcflowError {
  const start = JSON.stringify(latin1(reply, 0, Math.min(reply.length, 40)));
  return new EcflowError(ErrorCode.DECODE, `log server ${verb} reply has a bad header (${what}): starts ${start}`);
}

function latin1(bytes: Uint8Array, from: number, to: number): string {
  let s = '';
  for (let i = from; i < to; i++) s += String.fromCharCode(bytes[i]!);
  return s;
}
