/**
 * A client for ecflow_logsvr (ecflow-protocol.md §14): one request per connection, the request is
 * one line, the reply is everything until the server closes; zero bytes means "refused".
 *
 * Connections go through a `Connector` (direct TCP by default; a SOCKS5 connector plugs in the
 * same way as for the ecFlow client). Replies stay bytes (`Uint8Array`) until the caller decodes
 * them (`decodeOutput`): job output need not be valid UTF-8.
 *
 * Failures (all EcflowError, match on `code`): INVALID_ARGUMENT (bad path, before connecting);
 * CONNECT; TIMEOUT (no byte for `timeoutMs`: the connect, then between chunks); SERVER
 * (LogServerRefusedError: zero bytes); CONNECTION_CLOSED (reset in the middle of a reply); FRAME
 * (reply larger than `maxBytes`); DECODE (bad header); CANCELLED (the caller's AbortSignal).
 */

import type { Duplex } from 'node:stream';
import { EcflowCancelledError, EcflowError, ErrorCode } from '../errors.js';
import { connectWithin, formatTarget, type ConnectTarget, type Connector } from '../transport/connector.js';
import { connectError, systemErrorCode } from '../transport/socket-errors.js';
import { directConnector } from '../transport/tcp.js';
import {
  checkLogServerPath,
  formatRequest,
  LogServerRefusedError,
  NO_CHECKSUM,
  parseDeltaReply,
  parseGetfReply,
  parseListReply,
  parseVersion,
  type LogServerDelta,
  type LogServerEntry,
  type LogServerFile,
  type LogServerVerb,
} from './log-server-protocol.js';

/** Default silence allowed (connect, then between reply chunks). ecflow_ui uses 3 s. */
export const DEFAULT_LOG_SERVER_TIMEOUT_MS = 10_000;
/** Default largest reply accepted. */
export const DEFAULT_LOG_SERVER_MAX_BYTES = 64 * 1024 * 1024;

export interface LogServerClientOptions {
  readonly host: string;
  readonly port: number;
  /** How to connect (default direct TCP), e.g. a SOCKS5 connector. */
  readonly connector?: Connector;
  /** Longest silence (ms) while connecting and between reply chunks. Default 10 s. */
  readonly timeoutMs?: number;
  /** Largest reply accepted, in bytes. Default 64 MiB. */
  readonly maxBytes?: number;
}

export interface LogServerRequestOptions {
  /** Abort: the request rejects with EcflowCancelledError and the connection is destroyed. */
  readonly signal?: AbortSignal;
  /** Overrides the client's `timeoutMs` for this request. */
  readonly timeoutMs?: number;
  /** Overrides the client's `maxBytes` for this request. */
  readonly maxBytes?: number;
}

/**
 * @example
 * const logsvr = new LogServerClient({ host: 'logserver1', port: 9316 });
 * const { mtime, checksum, content } = await logsvr.getf('/home/ops/ecf_home/s1/t1.1');
 * const next = await logsvr.delta(content.length, mtime, checksum, '/home/ops/ecf_home/s1/t1.1');
 */
export class LogServerClient {
  readonly host: string;
  readonly port: number;
  private readonly target: ConnectTarget;
  private readonly connector: Connector;
  private readonly timeoutMs: number;
  private readonly maxBytes: number;

  constructor(options: LogServerClientOptions) {
    const { host, port } = options;
    if (typeof host !== 'string' || host === '' || /\s/.test(host)) {
      throw new EcflowError(ErrorCode.INVALID_ARGUMENT, `invalid log server host '${String(host)}'`);
    }
    if (!Number.isInteger(port) || port < 1 || port > 65535) {
      throw new EcflowError(ErrorCode.INVALID_ARGUMENT, `invalid log server port ${String(port)}: expected 1-65535`);
    }
    this.host = host;
    this.port = port;
    this.target = { host, port };
    this.connector = options.connector ?? directConnector;
    this.timeoutMs = checkPositive('timeoutMs', options.timeoutMs) ?? DEFAULT_LOG_SERVER_TIMEOUT_MS;
    this.maxBytes = checkPositive('maxBytes', options.maxBytes) ?? DEFAULT_LOG_SERVER_MAX_BYTES;
  }

  /** `host:port` of the log server. */
  get address(): string {
    return formatTarget(this.target);
  }

  /** The protocol version: 2 for ecflow_logsvr (getf and delta need 2). */
  async version(options: LogServerRequestOptions = {}): Promise<number> {
    return parseVersion(await this.request('version', [], options));
  }

  /** The whole file, raw (an empty file looks like a refusal here: prefer `getf`). */
  async get(path: string, options: LogServerRequestOptions = {}): Promise<Uint8Array> {
    checkLogServerPath(path);
    return this.request('get', [path], options);
  }

  /** The whole file with its mtime and checksum (for a later `delta`). */
  async getf(path: string, options: LogServerRequestOptions = {}): Promise<LogServerFile> {
    checkLogServerPath(path);
    return parseGetfReply(await this.request('getf', [path], options));
  }

  /**
   * What changed since a previous `getf`/`delta` that left us with `pos` bytes, `mtime` and
   * `checksum` ('' or 'x' when unknown). Note: ecflow_logsvr compares checksums numerically, so
   * it may answer `appended` for a replaced file; `followFile` double-checks.
   */
  async delta(
    pos: number,
    mtime: number,
    checksum: string,
    path: string,
    options: LogServerRequestOptions = {},
  ): Promise<LogServerDelta> {
    checkLogServerPath(path);
    for (const [name, v] of [['pos', pos], ['mtime', mtime]] as const) {
      if (!Number.isSafeInteger(v) || v < 0) {
        throw new EcflowError(ErrorCode.INVALID_ARGUMENT, `log server delta: ${name} must be an integer >= 0, got ${v}`);
      }
    }
    const sum = checksum === '' || /[\s:]/.test(checksum) ? NO_CHECKSUM : checksum;
    return parseDeltaReply(await this.request('delta', [String(pos), String(mtime), sum, path], options));
  }

  /** The files in `path`'s directory whose names start with its basename up to the first dot. */
  async list(path: string, options: LogServerRequestOptions = {}): Promise<LogServerEntry[]> {
    checkLogServerPath(path);
    return parseListReply(await this.request('list', [path], options));
  }

  /**
   * One raw exchange: send `<verb> <args>\n`, return every byte until the server closes.
   * Zero bytes reject with LogServerRefusedError.
   */
  async request(verb: LogServerVerb, args: readonly string[], options: LogServerRequestOptions = {}): Promise<Uint8Array> {
    const line = formatRequest(verb, args);
    const shown = line.slice(0, -1);
    const timeoutMs = checkPositive('timeoutMs', options.timeoutMs) ?? this.timeoutMs;
    const maxBytes = checkPositive('maxBytes', options.maxBytes) ?? this.maxBytes;
    const caller = options.signal;
    if (caller?.aborted) throw this.cancelled(shown, caller.reason);

    // One controller for the whole request: the caller's abort and our idle timer both end it.
    const controller = new AbortController();
    const idle = new IdleTimer(timeoutMs, () => controller.abort());
    const onCallerAbort = () => controller.abort();
    caller?.addEventListener('abort', onCallerAbort, { once: true });
    try {
      let stream: Duplex;
      try {
        stream = await connectWithin(this.connector, this.target, controller.signal);
      } catch (e) {
        if (controller.signal.aborted) throw e;
        throw connectError(this.target, e);
      }
      idle.touch();
      return await readUntilClose(stream, line, {
        address: this.address,
        request: shown,
        maxBytes,
        signal: controller.signal,
        onData: () => idle.touch(),
      });
    } catch (e) {
      if (caller?.aborted) throw this.cancelled(shown, caller.reason);
      if (idle.fired) {
        throw new EcflowError(
          ErrorCode.TIMEOUT,
          `log server ${this.address}: no answer to '${shown}' for ${formatMs(timeoutMs)}`,
          { cause: e },
        );
      }
      throw e;
    } finally {
      idle.stop();
      caller?.removeEventListener('abort', onCallerAbort);
    }
  }

  private cancelled(request: string, reason: unknown): EcflowCancelledError {
    return new EcflowCancelledError(`log server request '${request}' to ${this.address} cancelled`, { cause: reason });
  }
}

interface ReadOptions {
  readonly address: string;
  readonly request: string;
  readonly maxBytes: number;
  readonly signal: AbortSignal;
  readonly onData: () => void;
}

/** Write `line`, collect chunks until the peer ends the stream; the stream is destroyed after. */
function readUntilClose(stream: Duplex, line: string, o: ReadOptions): Promise<Uint8Array> {
  return new Promise<Uint8Array>((resolve, reject) => {
    const chunks: Buffer[] = [];
    let total = 0;
    let settled = false;
    const finish = (outcome: () => void) => {
      if (settled) return;
      settled = true;
      o.signal.removeEventListener('abort', onAbort);
      stream.off('data', onData);
      stream.off('end', onEnd);
      stream.off('close', onClose);
      stream.off('error', onError);
      stream.on('error', ignore); // late errors of a destroyed stream
      stream.destroy();
      outcome();
    };
    const onData = (chunk: Buffer | string) => {
      const b = typeof chunk === 'string' ? Buffer.from(chunk, 'latin1') : chunk;
      total += b.length;
      if (total > o.maxBytes) {
        finish(() =>
          reject(
            new EcflowError(
              ErrorCode.FRAME,
              `log server ${o.address}: the reply to '${o.request}' is larger than ${formatBytes(o.maxBytes)} ` +
                `(the maxBytes limit); raise maxBytes, or fetch the last lines through the ecFlow server`,
            ),
          ),
        );
        return;
      }
      chunks.push(b);
      o.onData();
    };
    const onEnd = () =>
      finish(() => {
        if (total === 0) reject(new LogServerRefusedError(o.address, o.request));
        else resolve(chunks.length === 1 ? chunks[0]! : Buffer.concat(chunks, total));
      });
    const closedEarly = (cause?: unknown) => {
      const code = systemErrorCode(cause);
      const what = total === 0 ? 'before sending anything' : `after ${total} bytes`;
      return new EcflowError(
        ErrorCode.CONNECTION_CLOSED,
        `log server ${o.address}: connection lost ${what} of the reply to '${o.request}'${code ? ` (${code})` : ''}`,
        { cause },
      );
    };
    // 'close' without 'end': destroyed or reset, the reply may be cut short.
    const onClose = () => finish(() => reject(closedEarly()));
    const onError = (e: Error) => finish(() => reject(closedEarly(e)));
    const onAbort = () => finish(() => reject(o.signal.reason));
    if (o.signal.aborted) {
      onAbort();
      return;
    }
    o.signal.addEventListener('abort', onAbort, { once: true });
    stream.on('data', onData);
    stream.once('end', onEnd);
    stream.once('close', onClose);
    stream.once('error', onError);
    stream.write(line);
  });
}


/** Fires once when `touch()` has not been called for `ms`. */
class IdleTimer {
  fired = false;
  private timer: ReturnType<typeof setTimeout> | undefined;
  constructor(
    private readonly ms: number,
    private readonly onIdle: () => void,
  ) {
    this.touch();
  }
  touch(): void {
    if (this.fired) return;
    clearTimeout(this.timer);
    this.timer = setTimeout(() => {
      this.fired = true;
      this.onIdle();
    }, this.ms);
  }
  stop(): void {
    clearTimeout(this.timer);
  }
}

function checkPositive(name: string, v: number | undefined): number | undefined {
  if (v === undefined) return undefined;
  if (!Number.isSafeInteger(v) || v <= 0) {
    throw new EcflowError(ErrorCode.INVALID_ARGUMENT, `log server ${name} must be a positive integer, got ${String(v)}`);
  }
  return v;
}

function formatMs(ms: number): string {
  return ms % 1000 === 0 ? `${ms / 1000} s` : `${ms} ms`;
}

function formatBytes(n: number): string {
  return n % (1024 * 1024) === 0 ? `${n / (1024 * 1024)} MiB` : `${n} bytes`;
}

function ignore(): void {}
