/**
 * Runs INSIDE a namespace of the centre lab for bench/routes.ts and prints one JSON line.
 *   route  <config.toml> <N>   (home) start the route, time to the first ping, N pings through SOCKS,
 *                              N pings through an -L forward of the same master (the old recipe)
 *   direct <host> <port> <N>   (inside the centre) N pings without any tunnel
 */
import { EcflowClient } from '../src/client/ecflow-client.js';
import { Centre } from '../src/client/centre.js';
import { loadConfig } from '../src/config/config.js';

async function pings(client: EcflowClient, n: number): Promise<number[]> {
  const out: number[] = [];
  for (let i = 0; i < n; i++) {
    const t0 = performance.now();
    await client.ping({ timeoutMs: 10_000 });
    out.push(performance.now() - t0);
  }
  return out;
}

async function main(): Promise<void> {
  const [mode, a, b, c] = process.argv.slice(2);
  if (mode === 'direct') {
    const client = new EcflowClient({ host: a!, port: Number(b), identity: { remoteUser: 'ecuser' }, env: {} });
    await pings(client, 3); // warm-up
    process.stdout.write(`${JSON.stringify({ direct: await pings(client, Number(c)) })}\n`);
    return;
  }
  const config = await loadConfig({ path: a! });
  const n = Number(b);
  const t0 = performance.now();
  const centre = Centre.open({ config, attach: false });
  try {
    const client = centre.client('a');
    let firstPingMs: number | undefined;
    let attempts = 0;
    while (firstPingMs === undefined) {
      attempts++;
      try {
        await client.ping({ timeoutMs: 5000 });
        firstPingMs = performance.now() - t0;
      } catch (e) {
        if (performance.now() - t0 > 60_000) throw e;
        await new Promise((r) => setTimeout(r, 50));
      }
    }
    await pings(client, 3);
    const socks = await pings(client, n);
    const localPort = await centre.forward('centre', 'machine1', 4141);
    const forwarded = new EcflowClient({ host: '127.0.0.1', port: localPort, identity: { remoteUser: 'ecuser' }, env: {} });
    await pings(forwarded, 3);
    const forward = await pings(forwarded, n);
    process.stdout.write(`${JSON.stringify({ firstPingMs, attempts, socks, forward })}\n`);
  } finally {
    await centre.stop();
  }
}

main().catch((e: unknown) => {
  process.stderr.write(`${e instanceof Error ? (e.stack ?? e.message) : String(e)}\n`);
  process.exitCode = 1;
});
