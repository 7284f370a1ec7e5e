/**
 * Free TCP ports for the real servers started by integration tests.
 *
 * ecflow_server only accepts ports 1024–49151 (`--port` "Allowed range 1024-49151"; 5.17 enforces
 * it), so port 0 cannot be used: we pick a random port, bind-test it on the same address the
 * server will listen on, and hand it out. Randomising over a wide range keeps parallel test files
 * (separate processes) from colliding; a port handed out in this process is never handed out
 * again. By default the range avoids the kernel's ephemeral range (outgoing connections take
 * ports from it at any moment), see `/proc/sys/net/ipv4/ip_local_port_range`.
 * There is still a short race between the bind test and the server's own bind, so starters
 * should retry on "Address already in use" (startEcflowServer does).
 *
 * @example
 *   const port = await freePort();              // e.g. 23817
 *   const [a, b] = await freePorts(2);
 */
import { readFileSync } from 'node:fs';
import { createServer } from 'node:net';

/** The ports ecflow_server accepts. */
export const ECFLOW_PORT_MIN = 1024;
export const ECFLOW_PORT_MAX = 49151;

export interface PortOptions {
  /** Lowest port to consider (default: 10000, or 1024 if the ephemeral range leaves no room). */
  min?: number;
  /** Highest port to consider (default: just below the kernel's ephemeral range, at most 49151). */
  max?: number;
  /** Address to bind-test on; default '0.0.0.0' (ecflow_server listens on all IPv4 interfaces). */
  host?: string;
}

const handedOut = new Set<number>();

function ephemeralLow(): number {
  try {
    const text = readFileSync('/proc/sys/net/ipv4/ip_local_port_range', 'utf8');
    const low = Number.parseInt(text.trim().split(/\s+/)[0] ?? '', 10);
    return Number.isFinite(low) ? low : 32768;
  } catch {
    return 32768;
  }
}

/** The default range: [10000, ephemeral-1] when that is wide enough, else [10000, 49151]. */
export function defaultPortRange(): { min: number; max: number } {
  const min = 10000;
  const below = Math.min(ECFLOW_PORT_MAX, ephemeralLow() - 1);
  return below - min >= 2000 ? { min, max: below } : { min, max: ECFLOW_PORT_MAX };
}

/** True if `port` can be bound on `host` right now (the socket is closed again at once). */
export function canBind(port: number, host = '0.0.0.0'): Promise<boolean> {
  return new Promise((resolve) => {
    const srv = createServer();
    srv.unref();
    srv.once('error', () => resolve(false));
    srv.listen({ port, host, exclusive: true }, () => {
      srv.close(() => resolve(true));
    });
  });
}

/** Returns a port that was free a moment ago, within [min, max] (defaults: see module doc). */
export async function freePort(options: PortOptions = {}): Promise<number> {
  const range = defaultPortRange();
  const min = Math.max(ECFLOW_PORT_MIN, options.min ?? range.min);
  const max = Math.min(65535, options.max ?? range.max);
  if (max < min) throw new Error(`freePort: empty range ${min}-${max}`);
  const host = options.host ?? '0.0.0.0';
  for (let attempt = 0; attempt < 200; attempt++) {
    const port = min + Math.floor(Math.random() * (max - min + 1));
    if (handedOut.has(port)) continue;
    // Also test the loopback address: a server bound to 127.0.0.1 only does not block 0.0.0.0
    // binds on every kernel, but it would still steal our clients' connections.
    if ((await canBind(port, host)) && (host === '127.0.0.1' || (await canBind(port, '127.0.0.1')))) {
      handedOut.add(port);
      return port;
    }
  }
  throw new Error(`freePort: no free port found in ${min}-${max} after 200 attempts`);
}

/** Returns `n` distinct free ports. */
export async function freePorts(n: number, options: PortOptions = {}): Promise<number[]> {
  const out: number[] = [];
  for (let i = 0; i < n; i++) out.push(await freePort(options));
  return out;
}
