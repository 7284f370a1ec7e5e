/**
 * Following a growing job output through the log server, like ecflow_ui's incremental reload:
 * `getf` once, then `delta <size> <mtime> <checksum>` every poll interval.
 *
 *   "1"               unchanged             → nothing yielded
 *   "1:m:c:" + bytes  the file grew          → `appended` (text decoded in stream mode, so a UTF-8
 *                                              character split between two polls survives)
 *   "0:m:c:" + file   touched/truncated/replaced → `replaced` with the whole file
 *
 * ecflow_logsvr compares checksums numerically (so two SHA-1s starting with letters are "equal")
 * and never compares them when it has no SHA-1 module (`x`): an `appended` answer is
 * double-checked here — different real checksums once 1024 bytes were seen, or an mtime going
 * backwards, mean the file was replaced, and it is fetched again whole.
 *
 * The iteration ends quietly when the signal aborts (a cancel is not a failure). Transient
 * failures (connect, timeout, connection lost) are retried `maxRetries` times in a row.
 */

import { EcflowError, ErrorCode } from '../errors.js';
import type { LogServerClient } from './log-server-client.js';
import { CHECKSUM_PREFIX_BYTES, createOutputDecoder, NO_CHECKSUM, type LogServerFile } from './log-server-protocol.js';
import { logServerClient, submittable, type OutputChainOptions } from './output-chain.js';
import { isLogServerLocation, jobOutputPath, logServerFor } from './output-path.js';

/** Default time between two `delta` requests. */
export const DEFAULT_POLL_INTERVAL_MS = 2000;

export interface FollowOptions {
  /** Stop following (the iteration returns). */
  readonly signal?: AbortSignal;
  /** Time between polls, ms. Default 2000. */
  readonly pollIntervalMs?: number;
  /** Transient failures in a row tolerated before the error is thrown. Default 3. */
  readonly maxRetries?: number;
}

export interface OutputFollowEvent {
  /** `content` first, then `appended` pieces; `replaced` carries the whole new file. */
  readonly kind: 'content' | 'appended' | 'replaced';
  /** The new text (the whole file for content/replaced). */
  readonly text: string;
  /** The bytes behind `text`. */
  readonly bytes: Uint8Array;
  /** File size now, bytes. */
  readonly size: number;
  /** Unix seconds. */
  readonly mtime: number;
  readonly checksum: string;
  /** For `replaced`: how we know. */
  readonly reason?: string;
}

/**
 * Follow `path` on a log server.
 *
 * @example
 * const stop = new AbortController();
 * for await (const ev of followFile(logsvr, '/home/ops/s1/t1.1', { signal: stop.signal })) {
 *   if (ev.kind === 'appended') process.stdout.write(ev.text); else render(ev.text);
 * }
 */
export async function* followFile(
  logsvr: LogServerClient,
  path: string,
  options: FollowOptions = {},
): AsyncGenerator<OutputFollowEvent, void, undefined> {
  const { signal } = options;
  const interval = options.pollIntervalMs ?? DEFAULT_POLL_INTERVAL_MS;
  const maxRetries = options.maxRetries ?? 3;
  if (!(Number.isFinite(interval) && interval > 0)) {
    throw new EcflowError(ErrorCode.INVALID_ARGUMENT, `pollIntervalMs must be > 0, got ${interval}`);
  }
  const req = signal === undefined ? {} : { signal };
  let decoder = createOutputDecoder();
  let size = 0;
  let mtime = 0;
  let checksum = NO_CHECKSUM;

  const whole = (kind: 'content' | 'replaced', f: LogServerFile, reason?: string): OutputFollowEvent => {
    decoder = createOutputDecoder();
    size = f.content.length;
    mtime = f.mtime;
    checksum = f.checksum;
    const text = decoder.decode(f.content, { stream: true });
    return { kind, text, bytes: f.content, size, mtime, checksum, ...(reason === undefined ? {} : { reason }) };
  };

  const first = await retrying(() => logsvr.getf(path, req), maxRetries, interval, signal);
  if (first === undefined) return;
  yield whole('content', first);

  for (;;) {
    if (!(await sleep(interval, signal))) return;
    const d = await retrying(() => logsvr.delta(size, mtime, checksum, path, req), maxRetries, interval, signal);
    if (d === undefined) return;
    if (d.kind === 'unchanged') continue;
    if (d.kind === 'full') {
      yield whole('replaced', d, 'the log server sent the whole file: it was touched, truncated or replaced');
      continue;
    }
    const replacedBy = replacedReason(size, mtime, checksum, d.mtime, d.checksum);
    if (replacedBy !== undefined) {
      const f = await retrying(() => logsvr.getf(path, req), maxRetries, interval, signal);
      if (f === undefined) return;
      yield whole('replaced', f, replacedBy);
      continue;
    }
    size += d.bytes.length;
    mtime = d.mtime;
    checksum = d.checksum;
    yield { kind: 'appended', text: decoder.decode(d.bytes, { stream: true }), bytes: d.bytes, size, mtime, checksum };
  }
}

/**
 * Follow the job output of a task or alias through its log server (see output-chain.ts for how
 * the log server is chosen). Throws INVALID_ARGUMENT when the node has no log server.
 *
 * @example
 * for await (const ev of followOutput(task, { client, signal, pollIntervalMs: 1000 })) show(ev);
 */
export function followOutput(
  node: Parameters<typeof submittable>[0],
  options: OutputChainOptions & FollowOptions & { readonly tryNo?: number },
): AsyncGenerator<OutputFollowEvent, void, undefined> {
  const task = submittable(node);
  const where = logServerFor(task, options.logServer);
  if (!isLogServerLocation(where)) {
    throw new EcflowError(ErrorCode.INVALID_ARGUMENT, `cannot follow the output of ${task.path}: ${where.reason}`);
  }
  const path = jobOutputPath(task, options.tryNo ?? task.tryNo);
  return followFile(logServerClient(where, options), path, options);
}

/** Why an `appended` answer really means a different file, or undefined. */
function replacedReason(
  size: number,
  mtime: number,
  checksum: string,
  newMtime: number,
  newChecksum: string,
): string | undefined {
  const real = (c: string) => c !== '' && c !== NO_CHECKSUM;
  // The checksum covers the first 1024 bytes: below that it changes as the file grows.
  if (size >= CHECKSUM_PREFIX_BYTES && real(checksum) && real(newChecksum) && checksum !== newChecksum) {
    return `the checksum of the first ${CHECKSUM_PREFIX_BYTES} bytes changed (${checksum} → ${newChecksum})`;
  }
  if (newMtime < mtime) return `the modification time went backwards (${mtime} → ${newMtime})`;
  return undefined;
}

const TRANSIENT: ReadonlySet<string> = new Set([ErrorCode.CONNECT, ErrorCode.TIMEOUT, ErrorCode.CONNECTION_CLOSED]);

/** `fn()`, retrying transient failures; undefined when the signal aborts (also while waiting). */
async function retrying<T>(fn: () => Promise<T>, maxRetries: number, waitMs: number, signal?: AbortSignal): Promise<T | undefined> {
  for (let failures = 0; ; failures++) {
    if (signal?.aborted) return undefined;
    try {
      return await fn();
    } catch (e) {
      if (signal?.aborted) return undefined;
      if (!(e instanceof EcflowError) || !TRANSIENT.has(e.code) || failures >= maxRetries) throw e;
    }
    if (!(await sleep(waitMs, signal))) return undefined;
  }
}

/** Resolves true after `ms`, or false as soon as `signal` aborts. */
function sleep(ms: number, signal?: AbortSignal): Promise<boolean> {
  if (signal?.aborted) return Promise.resolve(false);
  return new Promise((resolve) => {
    const onAbort = () => {
      clearTimeout(timer);
      resolve(false);
    };
    const timer = setTimeout(() => {
      signal?.removeEventListener('abort', onAbort);
      resolve(true);
    }, ms);
    signal?.addEventListener('abort', onAbort, { once: true });
  });
}
