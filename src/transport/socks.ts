/**
 * SOCKS5 `Connector`: every connection of ours (ecFlow client, log-server client) goes through a
 * route's SOCKS port, the `ssh -D` of the route's OpenSSH master (connectivity-notes.md §1.4, §5.1).
 *
 * - Remote DNS: the target host name is sent as a SOCKS5 domain name (ATYP 3) and resolved inside
 *   the centre; it is never looked up locally. IP literals go as ATYP 1/4. So centre host names
 *   work unchanged and any number of log servers on the same port are reachable by name.
 * - We open the TCP connection to the SOCKS port ourselves (TCP_NODELAY, abortable) and let the
 *   `socks` library do the handshake on it, so an AbortSignal destroys the socket at any stage.
 * - OpenSSH's SOCKS server gives no reason on failure: when the workstation cannot resolve or reach
 *   the target, it closes the connection without a SOCKS reply (notes §0.2); the reason is only in
 *   the master's stderr (`channel N: open failed: …`). A refused SOCKS port means the route is down.
 *   Both become EcflowError CONNECT with a message that says so.
 *
 * TLS goes on top of the returned socket (tls.ts), as with direct TCP.
 */

import { isIP, type Socket } from 'node:net';
import { domainToASCII } from 'node:url';
import { SocksClient } from 'socks';
import { EcflowError, ErrorCode } from '../errors.js';
import { formatTarget, type ConnectTarget } from './connector.js';
import { systemErrorCode } from './socket-errors.js';
import { openTcpSocket } from './tcp.js';

/** Address of a SOCKS5 port (for a route: 127.0.0.1 and its `-D` port). */
export interface SocksProxyAddress {
  readonly host: string;
  readonly port: number;
}

/**
 * Where the SOCKS port is: fixed, or asked for on every connection (e.g. from a route supervisor
 * that waits until the route is up; it may reject with its own EcflowError, which is passed on).
 */
export type SocksProxySource = SocksProxyAddress | ((signal: AbortSignal) => Promise<SocksProxyAddress>);

export interface SocksConnectorOptions {
  /** The route's name, for messages: "through route 'centre' (SOCKS 127.0.0.1:40123)". */
  readonly label?: string;
  /**
   * Longest wait for the SOCKS handshake when the caller's signal does not end it first (ms).
   * Default 30 000 (the client's own timeouts are usually shorter).
   */
  readonly handshakeTimeoutMs?: number;
}

/**
 * A `Connector` (connector.ts) that resolves with a `net.Socket` (the socket to the SOCKS port,
 * now relaying to the target).
 */
export type SocketConnector = (target: ConnectTarget, signal: AbortSignal) => Promise<Socket>;

/** Plain-English reasons for SOCKS5 reply codes (RFC 1928 §6), by the `socks` library's names. */
const REPLY_REASONS: Readonly<Record<string, string>> = {
  Failure: 'general SOCKS server failure (REP 1)',
  NotAllowed: 'connection not allowed by the SOCKS server (REP 2)',
  NetworkUnreachable: 'network unreachable inside the centre (REP 3)',
  HostUnreachable: 'host unreachable or unknown inside the centre (REP 4)',
  ConnectionRefused: 'connection refused by the target: is the server running on that port? (REP 5)',
  TTLExpired: 'TTL expired (REP 6)',
  CommandNotSupported: 'the SOCKS server does not support CONNECT (REP 7)',
  AddressNotSupported: 'the SOCKS server does not support this address type (REP 8)',
};

/** Why a closed SOCKS connection failed, from OpenSSH's point of view (no reply is sent). */
export const REMOTE_CLOSED_REASON =
  "the remote side closed the connection — the host may be unknown inside the centre or the port closed (OpenSSH's SOCKS server gives no reason; see the route's log)";

/**
 * A Connector that reaches `target` through a SOCKS5 proxy with remote DNS.
 *
 * @example
 * const client = new EcflowClient({
 *   host: 'machine1', port: 4141,
 *   connector: socksConnector({ host: '127.0.0.1', port: 40123 }, { label: 'centre' }),
 * });
 * await client.ping();
 */
export function socksConnector(proxy: SocksProxySource, options: SocksConnectorOptions = {}): SocketConnector {
  const handshakeTimeoutMs = options.handshakeTimeoutMs ?? 30_000;
  if (!(Number.isInteger(handshakeTimeoutMs) && handshakeTimeoutMs > 0)) {
    throw new EcflowError(ErrorCode.INVALID_ARGUMENT, `handshakeTimeoutMs must be a positive integer, got ${handshakeTimeoutMs}`);
  }
  return async (target: ConnectTarget, signal: AbortSignal): Promise<Socket> => {
    if (signal.aborted) throw signal.reason;
    const destinationHost = socksHostName(target);
    const address = typeof proxy === 'function' ? await proxyFrom(proxy, target, options.label, signal) : proxy;
    if (signal.aborted) throw signal.reason;
    const via = viaText(options.label, address);
    const fail = (reason: string, cause?: unknown): EcflowError =>
      new EcflowError(ErrorCode.CONNECT, `cannot reach ${formatTarget(target)} ${via}: ${reason}`, cause === undefined ? undefined : { cause });
    if (!validPort(address.port) || typeof address.host !== 'string' || address.host === '') {
      throw fail(`invalid SOCKS address ${formatTarget(address)}`);
    }
    const socket = await openProxySocket(address, signal, fail);
    return socksHandshake(socket, { host: destinationHost, port: target.port }, address, signal, fail, handshakeTimeoutMs);
  };
}

/** "through route 'centre' (SOCKS 127.0.0.1:40123)" or "through SOCKS 127.0.0.1:40123". */
function viaText(label: string | undefined, address: SocksProxyAddress): string {
  const socks = `SOCKS ${formatTarget(address)}`;
  return label === undefined ? `through ${socks}` : `through route '${label}' (${socks})`;
}

function validPort(port: unknown): port is number {
  return typeof port === 'number' && Number.isInteger(port) && port >= 1 && port <= 65535;
}

/**
 * The host as it goes into the SOCKS request: IP literals as they are, names as ASCII (IDNA),
 * at most 255 bytes (one length byte in the request).
 */
function socksHostName(target: ConnectTarget): string {
  const bare = target.host.startsWith('[') && target.host.endsWith(']') ? target.host.slice(1, -1) : target.host;
  if (isIP(bare) !== 0) return bare;
  const ascii = /^[\x21-\x7e]+$/.test(bare) ? bare : domainToASCII(bare);
  if (ascii === '' || ascii.length > 255) {
    throw new EcflowError(ErrorCode.INVALID_ARGUMENT, `cannot send host name '${target.host}' through SOCKS5: not a valid host name`);
  }
  if (!validPort(target.port)) {
    throw new EcflowError(ErrorCode.INVALID_ARGUMENT, `invalid port ${String(target.port)} for ${target.host}: expected 1-65535`);
  }
  return ascii;
}

async function proxyFrom(
  source: (signal: AbortSignal) => Promise<SocksProxyAddress>,
  target: ConnectTarget,
  label: string | undefined,
  signal: AbortSignal,
): Promise<SocksProxyAddress> {
  let onAbort: (() => void) | undefined;
  const aborted = new Promise<never>((_, reject) => {
    onAbort = () => reject(signal.reason);
    signal.addEventListener('abort', onAbort, { once: true });
  });
  try {
    // a source that ignores the signal must not keep an aborted request waiting
    return await Promise.race([source(signal), aborted]);
  } catch (e) {
    if (signal.aborted) throw signal.reason;
    if (e instanceof EcflowError) throw e;
    const route = label === undefined ? 'its SOCKS proxy' : `route '${label}'`;
    const detail = e instanceof Error ? e.message : String(e);
    throw new EcflowError(ErrorCode.CONNECT, `cannot reach ${formatTarget(target)}: ${route} is not available: ${detail}`, { cause: e });
  } finally {
    if (onAbort !== undefined) signal.removeEventListener('abort', onAbort);
    aborted.catch(() => undefined);
  }
}

/** TCP to the SOCKS port. A refusal there means nothing listens: the route is down. */
function openProxySocket(
  address: SocksProxyAddress,
  signal: AbortSignal,
  fail: (reason: string, cause?: unknown) => EcflowError,
): Promise<Socket> {
  return openTcpSocket(address, signal, (e) => {
    const code = systemErrorCode(e);
    return code === 'ECONNREFUSED'
      ? fail('nothing listens on the SOCKS port (ECONNREFUSED): the route is not up', e)
      : fail(`cannot connect to the SOCKS port: ${code ?? e.message}`, e);
  });
}

/**
 * SOCKS5 greeting + CONNECT on an open socket. Counts the bytes the proxy sent to tell "closed
 * before the greeting was answered" (not a SOCKS5 port) from "closed after it" (OpenSSH's way of
 * saying that the target could not be reached).
 */
function socksHandshake(
  socket: Socket,
  destination: ConnectTarget,
  proxy: SocksProxyAddress,
  signal: AbortSignal,
  fail: (reason: string, cause?: unknown) => EcflowError,
  timeoutMs: number,
): Promise<Socket> {
  return new Promise<Socket>((resolve, reject) => {
    let received = 0;
    let settled = false;
    const onData = (chunk: Buffer) => {
      received += chunk.length;
    };
    const settle = () => {
      settled = true;
      socket.off('data', onData);
      signal.removeEventListener('abort', onAbort);
    };
    const onAbort = () => {
      if (settled) return;
      settle();
      socket.destroy();
      reject(signal.reason);
    };
    socket.on('data', onData);
    signal.addEventListener('abort', onAbort, { once: true });
    SocksClient.createConnection({
      command: 'connect',
      proxy: { host: proxy.host, port: proxy.port, type: 5 },
      destination: { host: destination.host, port: destination.port },
      existing_socket: socket,
      timeout: timeoutMs,
    }).then(
      () => {
        if (settled) return; // aborted meanwhile: already rejected and destroyed
        // Bytes that came with the SOCKS reply (a server that speaks first, e.g. an SSH banner):
        // the library re-emits them as a 'data' event in a setImmediate and resumes the socket.
        // Catch them and put them back into the stream's buffer, then return the socket in its
        // initial state (no flow until a consumer attaches), so that any consumer — 'data',
        // read(), async iteration, pipe — gets every byte.
        const early: Buffer[] = [];
        const capture = (chunk: Buffer) => early.push(chunk);
        // the library has dropped its 'error' listener: an error now must not go unhandled
        const onEarlyError = (e: Error) => {
          socket.off('data', capture);
          if (settled) return;
          settle();
          socket.destroy();
          reject(fail(`the connection failed right after the SOCKS reply (${systemErrorCode(e) ?? e.message})`, e));
        };
        socket.on('data', capture);
        socket.once('error', onEarlyError);
        setImmediate(() => {
          socket.off('data', capture);
          socket.off('error', onEarlyError);
          if (settled) return;
          settle();
          socket.pause();
          if (early.length > 0) socket.unshift(Buffer.concat(early));
          socket.on('readable', noop); // removing the last 'readable' listener resets the flowing
          socket.off('readable', noop); // state, so a later on('data') starts the flow again
          socket.setNoDelay(true);
          resolve(socket);
        });
      },
      (e: unknown) => {
        if (settled) return;
        settle();
        socket.destroy();
        reject(fail(handshakeFailure(e, received, timeoutMs), e));
      },
    );
  });
}

function noop(): void {}

/** The reason text for a failed handshake (`received`: bytes the proxy had sent). */
function handshakeFailure(e: unknown, received: number, timeoutMs: number): string {
  const message = e instanceof Error ? e.message : String(e);
  const rejected = /^Socks5 proxy rejected connection - (\w+)/.exec(message);
  if (rejected) {
    const name = rejected[1] ?? '';
    return `the SOCKS server refused: ${REPLY_REASONS[name] ?? name}`;
  }
  if (message === 'Socket closed') {
    return received === 0
      ? 'the SOCKS port closed the connection before answering the SOCKS5 greeting: is it a SOCKS5 port (ssh -D)?'
      : REMOTE_CLOSED_REASON;
  }
  if (message === 'Proxy connection timed out') return `no SOCKS reply within ${timeoutMs} ms`;
  if (/initial handshake|final handshake response/i.test(message)) {
    return `the SOCKS port does not speak SOCKS5 without authentication (${message})`;
  }
  const code = systemErrorCode(e) ?? /\b(E[A-Z]{3,})\b/.exec(message)?.[1];
  if (code === 'ECONNRESET') return 'the SOCKS connection was reset (ECONNRESET): the route may have just gone down';
  return `SOCKS handshake failed: ${message}`;
}
