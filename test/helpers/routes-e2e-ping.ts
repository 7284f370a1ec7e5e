/**
 * A small program for test/routes-e2e.test.ts: pings one ecFlow server N times with our own
 * EcflowClient (one TCP connection per request, as ecFlow does) and prints the round-trip times
 * as one JSON line on stdout. Run it in the home namespace with `--socks PORT` (through a route's
 * SOCKS port, host name resolved by the far end) or in the centre namespace without (direct TCP),
 * so that the two figures differ only by the route.
 *
 *   node routes-e2e-ping.js --host machine1 --port 4141 --remote-user ecuser [--socks 40123]
 *                           [--count 20] [--warmup 3]
 *   → {"ok":true,"ms":[1.92,1.71,…]}   or   {"ok":false,"error":"…","ms":[…]}
 */
import { parseArgs } from 'node:util';
import { EcflowClient } from '../../src/client/ecflow-client.js';
import { socksConnector } from '../../src/transport/socks.js';

const { values } = parseArgs({
  options: {
    host: { type: 'string' },
    port: { type: 'string' },
    'remote-user': { type: 'string' },
    socks: { type: 'string' },
    count: { type: 'string', default: '20' },
    warmup: { type: 'string', default: '3' },
  },
});

const ms: number[] = [];
try {
  if (values.host === undefined || values.port === undefined) throw new Error('--host and --port are required');
  const client = new EcflowClient({
    host: values.host,
    port: Number(values.port),
    ...(values['remote-user'] === undefined ? {} : { identity: { remoteUser: values['remote-user'] } }),
    ...(values.socks === undefined ? {} : { connector: socksConnector({ host: '127.0.0.1', port: Number(values.socks) }) }),
  });
  const warmup = Number(values.warmup);
  const count = Number(values.count);
  for (let i = 0; i < warmup + count; i++) {
    const t0 = performance.now();
    await client.ping({ timeoutMs: 10_000 });
    if (i >= warmup) ms.push(Math.round((performance.now() - t0) * 1000) / 1000);
  }
  process.stdout.write(`${JSON.stringify({ ok: true, ms })}\n`);
} catch (e) {
  process.stdout.write(`${JSON.stringify({ ok: false, error: e instanceof Error ? e.message : String(e), ms })}\n`);
  process.exitCode = 1;
}
