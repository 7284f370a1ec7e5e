/**
 * Direct TCP, the default `Connector`: `net.connect` with TCP_NODELAY (a request is one small
 * write, a reply one read; Nagle would only add latency).
 */

import { connect, type Socket } from 'node:net';
import type { ConnectTarget, Connector } from './connector.js';
import { connectError } from './socket-errors.js';

/**
 * Connect straight to `target` (local DNS). Resolves with the connected socket; rejects with
 * EcflowError(CONNECT) naming host:port, or with `signal.reason` when aborted (the socket is
 * destroyed).
 *
 * @example
 * const socket = await directConnector({ host: 'vm', port: 3141 }, AbortSignal.timeout(10_000));
 */
export const directConnector: Connector = (target: ConnectTarget, signal: AbortSignal): Promise<Socket> =>
  openTcpSocket(target, signal, (e) => connectError(target, e));

/**
 * A connected TCP socket (TCP_NODELAY) to `target`, abortable; a socket error is mapped by
 * `mapError` (the direct connector names host:port, the SOCKS connector says the route is down).
 */
export function openTcpSocket(target: ConnectTarget, signal: AbortSignal, mapError: (e: Error) => Error): Promise<Socket> {
  return new Promise<Socket>((resolve, reject) => {
    if (signal.aborted) {
      reject(signal.reason);
      return;
    }
    const socket = connect({ host: target.host, port: target.port, noDelay: true });
    const cleanup = () => {
      socket.off('connect', onConnect);
      socket.off('error', onError);
      signal.removeEventListener('abort', onAbort);
    };
    const onConnect = () => {
      cleanup();
      resolve(socket);
    };
    const onError = (e: Error) => {
      cleanup();
      socket.destroy();
      reject(mapError(e));
    };
    const onAbort = () => {
      cleanup();
      socket.destroy();
      reject(signal.reason);
    };
    socket.once('connect', onConnect);
    socket.once('error', onError);
    signal.addEventListener('abort', onAbort, { once: true });
  });
}
