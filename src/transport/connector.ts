/**
 * The transport hook: how the client gets a connected byte stream to an ecFlow server.
 *
 * A `Connector` opens one connection per request (ecflow-protocol.md §1). The default is direct
 * TCP (`directConnector`, tcp.ts); a SOCKS5 connector (remote DNS through an SSH `-D` port,
 * connectivity-notes.md §5.1) plugs in through the same type. TLS is layered on top of whatever
 * the connector returns (tls.ts), so TLS works through SOCKS too.
 *
 * Contract for implementations:
 * - resolve with a *connected* Duplex (for TCP: after `connect`), ready for the frame to be written;
 * - on failure reject with an EcflowError, code CONNECT, naming `host:port` (see `connectError`);
 * - when `signal` aborts, destroy whatever was opened and reject (with `signal.reason` or any
 *   error: the client reports cancellation or timeout itself and ignores the rejection value).
 */

import type { Duplex } from 'node:stream';

/** Where to connect: the server as the application named it (no local DNS is implied). */
export interface ConnectTarget {
  readonly host: string;
  readonly port: number;
}

/** Opens one connected stream to `target`. See the module comment for the contract. */
export type Connector = (target: ConnectTarget, signal: AbortSignal) => Promise<Duplex>;

/** `host:port`, with brackets around an IPv6 address. */
export function formatTarget(target: ConnectTarget): string {
  return target.host.includes(':') ? `[${target.host}]:${target.port}` : `${target.host}:${target.port}`;
}

/**
 * Run the connector, but settle as soon as `signal` aborts even if the connector ignores it
 * (a stream it delivers afterwards is destroyed).
 */
export function connectWithin(connector: Connector, target: ConnectTarget, signal: AbortSignal): Promise<Duplex> {
  return new Promise<Duplex>((resolve, reject) => {
    if (signal.aborted) {
      reject(signal.reason);
      return;
    }
    const onAbort = () => reject(signal.reason);
    signal.addEventListener('abort', onAbort, { once: true });
    connector(target, signal).then(
      (stream) => {
        signal.removeEventListener('abort', onAbort);
        if (signal.aborted) {
          stream.destroy();
          reject(signal.reason);
        } else resolve(stream);
      },
      (e: unknown) => {
        signal.removeEventListener('abort', onAbort);
        reject(e);
      },
    );
  });
}
