/**
 * The output-fetch chain for a task's job output, in ecflow_ui's order (ecflow-protocol.md §9.1
 * item 6, ecflow-ui-reference.md "How job output files are fetched"), without its cache and
 * without ever reading the local disk:
 *
 *   1. the log server: our configured override, else the node's ECF_LOGHOST/ECF_LOGPORT (getf);
 *   2. the ecFlow server: `CFileCmd JOBOUT` (the last `maxLines` lines), current try only.
 *
 * The result says which source served the output and why earlier ones failed (`attempts`), and
 * lists the tries whose output exists (log server `list`, else computed from ECF_TRYNO).
 * `followOutput` (output-follow.ts) follows a growing output through the log server.
 */

import { EcflowCancelledError, EcflowError, ErrorCode } from '../errors.js';
import { expectReply, type EcflowClient } from '../client/ecflow-client.js';
import { FileKind } from '../protocol/commands.js';
import { Submittable, type Node } from '../model/node.js';
import { formatTarget, type Connector } from '../transport/connector.js';
import { LogServerClient } from './log-server-client.js';
import { decodeOutput, type LogServerEntry } from './log-server-protocol.js';
import { isLogServerLocation, jobOutputPath, logServerFor, tryNoOfPath, type LogServerLocation } from './output-path.js';

/** ecflow_ui 5.9.2's default for "fetch the last N lines of files from the server". */
export const DEFAULT_MAX_OUTPUT_LINES = 10_000;

export type OutputSource = 'logserver' | 'server';

export interface OutputChainOptions {
  /** The ecFlow server holding the node (for `CFileCmd JOBOUT`). */
  readonly client: Pick<EcflowClient, 'request' | 'address'>;
  /** The log server configured for this ecFlow server; wins over ECF_LOGHOST/ECF_LOGPORT. */
  readonly logServer?: { readonly host: string; readonly port: number };
  /** How to reach the log server (default direct TCP), e.g. the SOCKS connector. */
  readonly connector?: Connector;
  /** Log server silence allowed, ms (LogServerClient default when absent). */
  readonly logServerTimeoutMs?: number;
  /** Largest output taken from the log server, bytes (default 64 MiB); larger → the server's last lines. */
  readonly maxBytes?: number;
  /** Lines asked from the ecFlow server. Default 10000. */
  readonly maxLines?: number;
  /** Abort everything (rejects with EcflowCancelledError). */
  readonly signal?: AbortSignal;
}

export interface FetchOutputOptions extends OutputChainOptions {
  /** Which try's output (default: the current one, ECF_TRYNO). */
  readonly tryNo?: number;
  /** Also list the existing tries on the log server (default true). */
  readonly listTries?: boolean;
}

/** One source that did not serve the output, and why. */
export interface OutputAttempt {
  readonly source: OutputSource;
  /** e.g. `log server logserver1:9316`, `ecflow server machine1:4141`. */
  readonly description: string;
  readonly error: EcflowError;
}

/** The output file of one try. */
export interface OutputTry {
  readonly tryNo: number;
  readonly path: string;
  /** True for ECF_TRYNO's try (the only one the ecFlow server can serve). */
  readonly current: boolean;
  /** True when the log server listed the file (then `size`/`mtime` are known). */
  readonly listed: boolean;
  readonly size?: number;
  /** Unix seconds. */
  readonly mtime?: number;
}

export interface OutputResult {
  readonly source: OutputSource;
  /** `log server logserver1:9316` or `ecflow server machine1:4141 (last 10000 lines)`. */
  readonly sourceDescription: string;
  /** The job output path (ECF_JOBOUT for `tryNo`, as the ecFlow server names it). */
  readonly path: string;
  readonly tryNo: number;
  /** True when `path` is the current ECF_JOBOUT. */
  readonly current: boolean;
  /** The output as text (invalid UTF-8 shown as U+FFFD). */
  readonly content: string;
  /** Raw bytes, when the log server served the file. */
  readonly bytes?: Uint8Array;
  /** From the log server's getf: for a later `delta`. */
  readonly mtime?: number;
  readonly checksum?: string;
  /** The log server that served the file. */
  readonly logServer?: LogServerLocation;
  /** Server source: the reply has `maxLines` lines, so earlier lines may be missing. */
  readonly truncated: boolean;
  /** Existing tries, oldest first. */
  readonly tries: readonly OutputTry[];
  /** Sources tried before the one that served (with their errors). */
  readonly attempts: readonly OutputAttempt[];
}

/** No source could serve the output; `attempts` says why for each. Code of the last failure. */
export class OutputFetchError extends EcflowError {
  readonly path: string;
  readonly attempts: readonly OutputAttempt[];
  constructor(path: string, attempts: readonly OutputAttempt[], message?: string) {
    const last = attempts[attempts.length - 1];
    const why = attempts.map((a) => `${a.description}: ${a.error.message}`).join('; ');
    super(last?.error.code ?? ErrorCode.INVALID_ARGUMENT, message ?? `cannot fetch job output ${path}: ${why}`, {
      cause: last?.error,
    });
    this.name = 'OutputFetchError';
    this.path = path;
    this.attempts = attempts;
  }
}

/**
 * Fetch the job output of a task or alias through the chain (module comment). Throws
 * OutputFetchError when no source serves it (also when ECF_TRYNO is 0 and no try is asked: the
 * task never ran), EcflowCancelledError when aborted.
 *
 * @example
 * const out = await fetchOutput(defs.findNode('/s1/f1/t1')!, { client, logServer: { host: 'localhost', port: 9316 } });
 * console.log(out.sourceDescription, out.content);
 * const first = await fetchOutput(node, { client, tryNo: 1 });
 */
export async function fetchOutput(node: Node, options: FetchOutputOptions): Promise<OutputResult> {
  const task = submittable(node);
  const tryNo = options.tryNo ?? task.tryNo;
  const path = jobOutputPath(task, tryNo);
  if (tryNo === 0) {
    throw new OutputFetchError(path, [], `job output of ${task.path} does not exist yet (ECF_TRYNO is 0: never submitted)`);
  }
  const current = tryNo === task.tryNo;
  const attempts: OutputAttempt[] = [];
  throwIfAborted(options.signal);

  const where = logServerFor(task, options.logServer);
  let listing: Promise<LogServerEntry[] | undefined> = Promise.resolve(undefined);
  if (isLogServerLocation(where)) {
    const logsvr = logServerClient(where, options);
    const description = `log server ${formatTarget(where)}`;
    const signalOption = options.signal === undefined ? {} : { signal: options.signal };
    if (options.listTries !== false) listing = logsvr.list(path, signalOption).catch(() => undefined);
    try {
      const file = await logsvr.getf(path, signalOption);
      return {
        source: 'logserver',
        sourceDescription: description,
        path,
        tryNo,
        current,
        content: decodeOutput(file.content),
        bytes: file.content,
        mtime: file.mtime,
        checksum: file.checksum,
        logServer: where,
        truncated: false,
        tries: triesOf(task, path, tryNo, await listing),
        attempts,
      };
    } catch (e) {
      rethrowIfCancelled(e, options.signal);
      attempts.push({ source: 'logserver', description, error: asEcflowError(e) });
    }
  } else {
    attempts.push({
      source: 'logserver',
      description: 'log server',
      error: new EcflowError(ErrorCode.INVALID_ARGUMENT, where.reason),
    });
  }

  const maxLines = options.maxLines ?? DEFAULT_MAX_OUTPUT_LINES;
  const serverDescription = `ecflow server ${options.client.address}`;
  if (!current) {
    attempts.push({
      source: 'server',
      description: serverDescription,
      error: new EcflowError(
        ErrorCode.INVALID_ARGUMENT,
        `the ecFlow server only serves the current job output (try ${task.tryNo}), not try ${tryNo}`,
      ),
    });
  } else {
    try {
      const reply = await options.client.request(
        { cmd: 'CFileCmd', file: FileKind.jobout, pathToNode: task.path, maxLines },
        options.signal === undefined ? {} : { signal: options.signal },
      );
      const content = expectReply(reply, 'SStringCmd').str;
      return {
        source: 'server',
        sourceDescription: `${serverDescription} (last ${maxLines} lines)`,
        path,
        tryNo,
        current,
        content,
        truncated: countLines(content) >= maxLines,
        tries: triesOf(task, path, tryNo, await listing),
        attempts,
      };
    } catch (e) {
      rethrowIfCancelled(e, options.signal);
      attempts.push({ source: 'server', description: serverDescription, error: asEcflowError(e) });
    }
  }
  await listing;
  throw new OutputFetchError(path, attempts);
}

/**
 * The tries whose output exists, from the log server's `list` (or computed 1..ECF_TRYNO when no
 * log server answers).
 *
 * @example (await listOutputTries(task, { client })).map((t) => t.tryNo) // [1, 2]
 */
export async function listOutputTries(node: Node, options: OutputChainOptions): Promise<OutputTry[]> {
  const task = submittable(node);
  const path = jobOutputPath(task);
  const where = logServerFor(task, options.logServer);
  let listing: LogServerEntry[] | undefined;
  if (isLogServerLocation(where)) {
    try {
      listing = await logServerClient(where, options).list(path, options.signal === undefined ? {} : { signal: options.signal });
    } catch (e) {
      rethrowIfCancelled(e, options.signal);
    }
  }
  return triesOf(task, path, task.tryNo, listing);
}

/** The LogServerClient for a location with the chain's options. */
export function logServerClient(where: LogServerLocation, options: OutputChainOptions): LogServerClient {
  return new LogServerClient({
    host: where.host,
    port: where.port,
    ...(options.connector === undefined ? {} : { connector: options.connector }),
    ...(options.logServerTimeoutMs === undefined ? {} : { timeoutMs: options.logServerTimeoutMs }),
    ...(options.maxBytes === undefined ? {} : { maxBytes: options.maxBytes }),
  });
}

/** The node as a task or alias, or INVALID_ARGUMENT. */
export function submittable(node: Node): Submittable {
  if (!(node instanceof Submittable)) {
    throw new EcflowError(ErrorCode.INVALID_ARGUMENT, `${node.path} is a ${node.kind}: only tasks and aliases have job output`);
  }
  return node;
}

function triesOf(task: Submittable, path: string, tryNo: number, listing: readonly LogServerEntry[] | undefined): OutputTry[] {
  const base = path.slice(path.lastIndexOf('/') + 1);
  const suffix = `.${tryNo}`;
  const stem = base.endsWith(suffix) ? base.slice(0, -suffix.length) : base;
  if (listing !== undefined) {
    const tries: OutputTry[] = [];
    for (const e of listing) {
      const n = tryNoOfPath(e.path, stem);
      if (n === undefined) continue;
      tries.push({ tryNo: n, path: e.path, current: n === task.tryNo, listed: true, size: e.size, mtime: e.mtime });
    }
    return tries.sort((a, b) => a.tryNo - b.tryNo);
  }
  const tries: OutputTry[] = [];
  for (let n = 1; n <= task.tryNo; n++) {
    tries.push({ tryNo: n, path: jobOutputPath(task, n), current: n === task.tryNo, listed: false });
  }
  return tries;
}

function countLines(text: string): number {
  if (text === '') return 0;
  let n = 0;
  for (let i = text.indexOf('\n'); i >= 0; i = text.indexOf('\n', i + 1)) n++;
  return text.endsWith('\n') ? n : n + 1;
}

function asEcflowError(e: unknown): EcflowError {
  return e instanceof EcflowError ? e : new EcflowError(ErrorCode.BUG, String(e), { cause: e });
}

function throwIfAborted(signal: AbortSignal | undefined): void {
  if (signal?.aborted) throw new EcflowCancelledError('job output fetch cancelled', { cause: signal.reason });
}

/** A cancellation is not a failed source: it ends the whole chain. */
function rethrowIfCancelled(e: unknown, signal: AbortSignal | undefined): void {
  if (signal?.aborted || (e instanceof EcflowError && e.code === ErrorCode.CANCELLED)) throw e;
}
