/**
 * The route's health check and local-port helpers (connectivity-notes.md §1.5, §5.2).
 *
 * Health = the data path: a SOCKS CONNECT through the master's `-D` port to the destination's own
 * sshd, which must answer with its `SSH-` banner. `ssh -O check` only proves that the master
 * process exists: it said "Master running" while the link was down (notes §0.4).
 */

import { connect, createServer, type Socket } from 'node:net';
import type { ConnectTarget } from './connector.js';
import { socksConnector } from './socks.js';

export type ProbeResult =
  | { readonly ok: true; readonly banner: string; readonly ms: number }
  | { readonly ok: false; readonly reason: string; readonly ms: number };

/** Reads the first line from `socket` (at most 255 bytes, RFC 4253 §4.2), or rejects. */
function firstLine(socket: Socket, signal: AbortSignal): Promise<string> {
  return new Promise((resolve, reject) => {
    let buffered = Buffer.alloc(0);
    const done = (fn: () => void): void => {
      socket.off('data', onData);
      socket.off('close', onClose);
      socket.off('error', onError);
      signal.removeEventListener('abort', onAbort);
      fn();
    };
    const onData = (chunk: Buffer): void => {
      buffered = Buffer.concat([buffered, chunk]);
      const nl = buffered.indexOf(0x0a);
      if (nl >= 0 || buffered.length >= 255) done(() => resolve(buffered.subarray(0, nl >= 0 ? nl : 255).toString('latin1').replace(/\r$/, '')));
    };
    const onClose = (): void => done(() => reject(new Error('closed before a banner arrived')));
    const onError = (e: Error): void => done(() => reject(e));
    const onAbort = (): void => done(() => reject(new Error('no banner in time')));
    socket.on('data', onData);
    socket.once('close', onClose);
    socket.once('error', onError);
    signal.addEventListener('abort', onAbort, { once: true });
  });
}

/**
 * One probe: SOCKS5 CONNECT (remote DNS) via `127.0.0.1:<socksPort>` to `target`, expecting a line
 * that starts with `SSH-`. Never rejects.
 *
 * @example
 * const r = await probeSshBanner(40123, { host: 'workstation', port: 22 }, 8000);
 * if (!r.ok) console.log(r.reason);
 */
export async function probeSshBanner(socksPort: number, target: ConnectTarget, timeoutMs: number, parent?: AbortSignal): Promise<ProbeResult> {
  const started = performance.now();
  const signal = parent === undefined ? AbortSignal.timeout(timeoutMs) : AbortSignal.any([parent, AbortSignal.timeout(timeoutMs)]);
  const ms = (): number => Math.round(performance.now() - started);
  let socket: Socket | undefined;
  try {
    const connector = socksConnector({ host: '127.0.0.1', port: socksPort }, { handshakeTimeoutMs: timeoutMs });
    socket = (await connector(target, signal)) as Socket;
    const line = await firstLine(socket, signal);
    if (!line.startsWith('SSH-')) return { ok: false, reason: `unexpected answer from ${target.host}:${target.port}: ${JSON.stringify(line.slice(0, 60))}`, ms: ms() };
    return { ok: true, banner: line, ms: ms() };
  } catch (e) {
    const reason = signal.aborted && !(parent?.aborted ?? false) ? `no answer within ${timeoutMs} ms` : e instanceof Error ? e.message : String(e);
    return { ok: false, reason, ms: ms() };
  } finally {
    socket?.destroy();
  }
}

/** True when 127.0.0.1:`port` can be bound right now (the test socket is closed again). */
export function localPortFree(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const server = createServer();
    server.unref();
    server.once('error', () => resolve(false));
    server.listen({ host: '127.0.0.1', port, exclusive: true }, () => server.close(() => resolve(true)));
  });
}

/** A port on 127.0.0.1 that was free a moment ago (chosen by the kernel). */
export function pickLocalPort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.unref();
    server.once('error', reject);
    server.listen({ host: '127.0.0.1', port: 0, exclusive: true }, () => {
      const address = server.address();
      const port = typeof address === 'object' && address !== null ? address.port : 0;
      server.close(() => (port > 0 ? resolve(port) : reject(new Error('no local port assigned'))));
    });
  });
}

/** True when something accepts a TCP connection on 127.0.0.1:`port` within `timeoutMs`. */
export function localPortAccepts(port: number, timeoutMs = 2000): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = connect({ host: '127.0.0.1', port });
    const timer = setTimeout(() => finish(false), timeoutMs);
    const finish = (ok: boolean): void => {
      clearTimeout(timer);
      socket.destroy();
      resolve(ok);
    };
    socket.once('connect', () => finish(true));
    socket.once('error', () => finish(false));
  });
}
