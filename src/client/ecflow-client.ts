/**
 * The public ecFlow client: one request per connection (ecflow-protocol.md §1).
 *
 * `request(cmd)` validates the command, resolves the identity (once per client; a custom user
 * without a password fails here, before anything is sent), connects through the `Connector`
 * (direct TCP by default), starts TLS on top when `ssl` is set, writes one frame, reads one frame,
 * closes, and decodes the reply. An `ErrorCmd` reply, or a `GroupSTCCmd` holding one, becomes an
 * EcflowServerError with the server's text verbatim (`serverMessage`) and the command as
 * ecflow_client would print it (`context`).
 *
 * Failures (all EcflowError, match on `code`): INVALID_ARGUMENT, CONFIG, PASSWORD (before
 * connecting); CONNECT, TLS (connection); TIMEOUT; CONNECTION_CLOSED (EOF before a whole reply);
 * FRAME, DECODE (bad reply); SERVER, AUTH (EcflowServerError); CANCELLED (EcflowCancelledError,
 * the caller's AbortSignal; the socket is destroyed).
 *
 * Nothing is logged; passwords only ever exist as the crypt hash inside the request.
 */

import { hostname } from 'node:os';
import type { Duplex } from 'node:stream';
import { EcflowCancelledError, EcflowError, EcflowServerError, ErrorCode } from '../errors.js';
import {
  CtsApi,
  News,
  SyncApi,
  describeCommand,
  encodeRequest,
  validateCommand,
  type Command,
  type RequestIdentity,
  type TaskCommand,
  type TaskIdentity,
  type UserCommand,
} from '../protocol/commands.js';
import { encodeFrame } from '../protocol/frame.js';
import { decodeReply, type Reply, type SSyncCmdReply } from '../protocol/replies.js';
import { connectWithin, formatTarget, type ConnectTarget, type Connector } from '../transport/connector.js';
import { exchangeFrame } from '../transport/exchange.js';
import { connectError } from '../transport/socket-errors.js';
import { loadSslCertificate, type SslCertificate, type SslCertificateOptions } from '../transport/ssl-certificate.js';
import { directConnector } from '../transport/tcp.js';
import { startTls } from '../transport/tls.js';
import { resolveIdentity, type EcflowIdentity, type ResolvedIdentity } from './identity.js';
import {
  commandTimeoutMs,
  DEFAULT_TIMEOUTS,
  validateTimeoutMs,
  validateTimeouts,
  type RequestTimeouts,
} from './timeouts.js';

export interface EcflowClientOptions {
  /** Server host name or address, as the user typed it (also used for passwd-file lookups). */
  readonly host: string;
  readonly port: number;
  /** TLS: `true` = ecFlow's certificate lookup in `~/.ecflowrc/ssl`; or where the certificate is. */
  readonly ssl?: boolean | SslCertificateOptions;
  /** Who requests are sent as; default: the login name, password from ECF_PASSWD if any. */
  readonly identity?: EcflowIdentity;
  /** Request timeouts (ms); see timeouts.ts for the defaults. */
  readonly timeouts?: RequestTimeouts;
  /** How to connect (default direct TCP); e.g. a SOCKS5 connector. TLS goes on top of it. */
  readonly connector?: Connector;
  /** Largest reply accepted, in bytes (default: FrameDecoder's, 512 MiB). */
  readonly maxFrameBytes?: number;
  /** `cl_host_`: the client's host name as the server logs it. Default `os.hostname()`. */
  readonly clientHost?: string;
  /** Environment for ECF_PASSWD / ECF_CUSTOM_PASSWD. Default `process.env`. */
  readonly env?: Readonly<Record<string, string | undefined>>;
  /** Receives warnings (e.g. a group-readable passwd file). Default `process.emitWarning`. */
  readonly onWarning?: (message: string) => void;
}

export interface RequestOptions {
  /** Abort the request: it rejects with EcflowCancelledError and the socket is destroyed. */
  readonly signal?: AbortSignal;
  /** Overrides the per-command timeout (ms). */
  readonly timeoutMs?: number;
  /** Return a GroupSTCCmd as is, even when children are ErrorCmd (default: throw). */
  readonly rawGroupReply?: boolean;
}

/**
 * A client for one ecFlow server.
 *
 * @example
 * const client = new EcflowClient({ host: 'vm', port: 3141, identity: { customUser: 'ops', password } });
 * await client.ping();
 * const reply = await client.request({ cmd: 'PathsCmd', api: PathsApi.SUSPEND, paths: ['/s1'] });
 */
export class EcflowClient {
  readonly host: string;
  readonly port: number;
  readonly ssl: boolean;
  private readonly target: ConnectTarget;
  private readonly options: EcflowClientOptions;
  private readonly connector: Connector;
  private readonly clientHost: string;
  private identityPromise: Promise<ResolvedIdentity> | undefined;
  private certificatePromise: Promise<SslCertificate> | undefined;

  constructor(options: EcflowClientOptions) {
    const { host, port } = options;
    if (typeof host !== 'string' || host === '' || /\s/.test(host)) {
      throw new EcflowError(ErrorCode.INVALID_ARGUMENT, `invalid server host '${String(host)}'`);
    }
    if (!Number.isInteger(port) || port < 1 || port > 65535) {
      throw new EcflowError(ErrorCode.INVALID_ARGUMENT, `invalid server port ${String(port)}: expected 1-65535`);
    }
    validateTimeouts(options.timeouts ?? {});
    const max = options.maxFrameBytes;
    if (max !== undefined && !(Number.isInteger(max) && max > 0)) {
      throw new EcflowError(ErrorCode.INVALID_ARGUMENT, `maxFrameBytes must be a positive integer, got ${String(max)}`);
    }
    this.host = host;
    this.port = port;
    this.ssl = options.ssl !== undefined && options.ssl !== false;
    this.target = { host, port };
    this.options = options;
    this.connector = options.connector ?? directConnector;
    this.clientHost = options.clientHost ?? (hostname() || 'localhost');
  }

  /** `host:port` of the server. */
  get address(): string {
    return formatTarget(this.target);
  }

  /**
   * The identity requests are sent as (resolved once, then cached; a failure is not cached).
   * Holds the password hash, never the password.
   */
  identity(): Promise<ResolvedIdentity> {
    if (this.identityPromise === undefined) {
      const p = resolveIdentity(this.options.identity ?? {}, this.target, {
        ...(this.options.env === undefined ? {} : { env: this.options.env }),
        ...(this.options.onWarning === undefined ? {} : { onWarning: this.options.onWarning }),
      });
      this.identityPromise = p;
      p.catch(() => {
        if (this.identityPromise === p) this.identityPromise = undefined;
      });
    }
    return this.identityPromise;
  }

  /**
   * Send one user command and return the server's reply.
   * Throws EcflowServerError for an ErrorCmd reply (see the module comment for all errors).
   *
   * @example
   * const reply = await client.request({ cmd: 'CtsCmd', api: CtsApi.PING }, { timeoutMs: 5000 });
   */
  async request(cmd: UserCommand, options: RequestOptions = {}): Promise<Reply> {
    validateCommand(cmd);
    const who = await this.identity();
    const identity: RequestIdentity = {
      host: this.clientHost,
      user: who.user,
      ...(who.passwordHash === undefined ? {} : { passwordHash: who.passwordHash }),
      ...(who.customUser ? { customUser: true } : {}),
    };
    return this.send(cmd, encodeRequest(cmd, identity), options);
  }

  /**
   * Send one child (task) command as a job would (ECF_NAME, ECF_PASS, ECF_RID, ECF_TRYNO).
   * Note: a `StcCmd` BLOCK_CLIENT_* or `BlockClientZombieCmd` reply means "retry later" and is
   * returned, not thrown.
   */
  async requestTask(cmd: TaskCommand, task: TaskIdentity, options: RequestOptions = {}): Promise<Reply> {
    validateCommand(cmd);
    return this.send(cmd, encodeRequest(cmd, task), options);
  }

  /** PING (`CtsCmd` 8). Note: 5.15+ servers answer ping without checking credentials. */
  async ping(options: RequestOptions = {}): Promise<void> {
    expectReply(await this.request({ cmd: 'CtsCmd', api: CtsApi.PING }, options), 'StcCmd');
  }

  /** The server's version string, e.g. `5.9.2`. Authenticated on every version. */
  async serverVersion(options: RequestOptions = {}): Promise<string> {
    return expectReply(await this.request({ cmd: 'ServerVersionCmd' }, options), 'SStringCmd').str;
  }

  /**
   * NEWS (`CSyncCmd` 0): has anything changed since these change numbers? 0 NO_NEWS, 1 NEWS,
   * 2 DO_FULL_SYNC (e.g. the server restarted).
   */
  async news(since: ChangeNumbers, options: RequestOptions = {}): Promise<News> {
    const reply = await this.request({ cmd: 'CSyncCmd', api: SyncApi.NEWS, ...changeFields(since) }, options);
    return expectReply(reply, 'SNewsCmd').news;
  }

  /** SYNC (`CSyncCmd` 1): the incremental changes since these change numbers (or a full defs). */
  async sync(since: ChangeNumbers, options: RequestOptions = {}): Promise<SSyncCmdReply> {
    const reply = await this.request({ cmd: 'CSyncCmd', api: SyncApi.SYNC, ...changeFields(since) }, options);
    return expectReply(reply, 'SSyncCmd');
  }

  /** SYNC_FULL (`CSyncCmd` 2, handle 0): the whole defs as NET text (`defs`). */
  async syncFull(options: RequestOptions = {}): Promise<SSyncCmdReply> {
    return expectReply(await this.request({ cmd: 'CSyncCmd', api: SyncApi.SYNC_FULL }, options), 'SSyncCmd');
  }

  private async send(cmd: Command, payload: string, options: RequestOptions): Promise<Reply> {
    const context = describeCommand(cmd);
    const frame = encodeFrame(payload);
    if (options.timeoutMs !== undefined) validateTimeoutMs('timeoutMs', options.timeoutMs);
    const timeoutMs = options.timeoutMs ?? commandTimeoutMs(cmd, this.options.timeouts);
    const caller = options.signal;
    if (caller?.aborted) throw this.cancelled(context, caller.reason);

    const controller = new AbortController();
    let timedOut = false;
    const timer = setTimeout(() => {
      timedOut = true;
      controller.abort();
    }, timeoutMs);
    const onCallerAbort = () => controller.abort();
    caller?.addEventListener('abort', onCallerAbort, { once: true });
    try {
      // The certificate is read before connecting: a missing one fails with nothing sent.
      const certificate = this.ssl ? await this.certificate() : undefined;
      const stream = await this.open(certificate, controller.signal);
      const { payload: replyText } = await exchangeFrame(stream, frame, {
        target: this.target,
        signal: controller.signal,
        ...(this.options.maxFrameBytes === undefined ? {} : { maxFrameBytes: this.options.maxFrameBytes }),
      });
      return checkReply(decodeReply(replyText), context, options.rawGroupReply === true);
    } catch (e) {
      if (controller.signal.aborted) {
        if (caller?.aborted) throw this.cancelled(context, caller.reason);
        if (timedOut) {
          throw new EcflowError(
            ErrorCode.TIMEOUT,
            `request( ${context} ) to ${this.address} timed out after ${formatMs(timeoutMs)}`,
            { cause: e },
          );
        }
      }
      throw e;
    } finally {
      clearTimeout(timer);
      caller?.removeEventListener('abort', onCallerAbort);
    }
  }

  /** Connect (and TLS), bounded by the connect timeout inside the request's own signal. */
  private async open(certificate: SslCertificate | undefined, signal: AbortSignal): Promise<Duplex> {
    const connectMs = this.options.timeouts?.connect ?? DEFAULT_TIMEOUTS.connect;
    const phase = new AbortController();
    let connectTimedOut = false;
    const timer = setTimeout(() => {
      connectTimedOut = true;
      phase.abort();
    }, connectMs);
    const onAbort = () => phase.abort();
    if (signal.aborted) phase.abort();
    else signal.addEventListener('abort', onAbort, { once: true });
    try {
      let stream: Duplex;
      try {
        stream = await connectWithin(this.connector, this.target, phase.signal);
      } catch (e) {
        if (phase.signal.aborted) throw e;
        throw connectError(this.target, e);
      }
      if (certificate === undefined) return stream;
      return await startTls(stream, this.target, certificate, phase.signal);
    } catch (e) {
      if (connectTimedOut && !signal.aborted) {
        throw new EcflowError(
          ErrorCode.CONNECT,
          `cannot connect to ${this.address}: no connection${this.ssl ? ' (or TLS handshake)' : ''} ` +
            `within ${formatMs(connectMs)}`,
          { cause: e },
        );
      }
      throw e;
    } finally {
      clearTimeout(timer);
      signal.removeEventListener('abort', onAbort);
    }
  }

  private certificate(): Promise<SslCertificate> {
    if (this.certificatePromise === undefined) {
      const ssl = this.options.ssl;
      const p = loadSslCertificate(this.target, typeof ssl === 'object' ? ssl : {});
      this.certificatePromise = p;
      p.catch(() => {
        if (this.certificatePromise === p) this.certificatePromise = undefined;
      });
    }
    return this.certificatePromise;
  }

  private cancelled(context: string, reason: unknown): EcflowCancelledError {
    return new EcflowCancelledError(`request( ${context} ) to ${this.address} cancelled`, { cause: reason });
  }
}


/** Change numbers of a client's copy of the defs (§7); `clientHandle` 0 = no handle. */
export interface ChangeNumbers {
  readonly clientHandle?: number;
  readonly stateChangeNo: number;
  readonly modifyChangeNo: number;
}

function changeFields(since: ChangeNumbers): { clientHandle: number; stateChangeNo: number; modifyChangeNo: number } {
  return {
    clientHandle: since.clientHandle ?? 0,
    stateChangeNo: since.stateChangeNo,
    modifyChangeNo: since.modifyChangeNo,
  };
}

/** ErrorCmd (or a group holding ErrorCmd children) -> EcflowServerError; anything else is returned. */
function checkReply(reply: Reply, context: string, rawGroupReply: boolean): Reply {
  if (reply.reply === 'ErrorCmd') throw new EcflowServerError(reply.message, { context });
  if (reply.reply === 'GroupSTCCmd' && !rawGroupReply) {
    const errors = reply.replies.flatMap((r) => (r.reply === 'ErrorCmd' ? [r.message] : []));
    if (errors.length > 0) throw new EcflowServerError(errors.join('\n'), { context });
  }
  return reply;
}

/** The reply if it has the expected type, else EcflowError(DECODE). */
export function expectReply<K extends Reply['reply']>(reply: Reply, kind: K): Extract<Reply, { reply: K }> {
  if (reply.reply !== kind) {
    throw new EcflowError(ErrorCode.DECODE, `expected a ${kind} reply, got ${reply.reply}`);
  }
  return reply as Extract<Reply, { reply: K }>;
}

function formatMs(ms: number): string {
  return ms % 1000 === 0 ? `${ms / 1000} s` : `${ms} ms`;
}
