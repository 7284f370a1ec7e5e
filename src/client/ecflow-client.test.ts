/**
 * Timeout and cancellation behaviour, against a local node:net server that accepts connections and
 * never answers (the one thing a real ecflow_server cannot be made to do on demand). Everything
 * else is tested against real servers in test/client-*.test.ts.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createServer, type Server, type Socket } from 'node:net';
import { Duplex } from 'node:stream';
import { EcflowClient } from './ecflow-client.js';
import { CtsApi, SyncApi } from '../protocol/commands.js';
import { EcflowCancelledError, EcflowError } from '../errors.js';
import type { Connector } from '../transport/connector.js';
import { directConnector } from '../transport/tcp.js';

interface SilentServer {
  port: number;
  /** Resolves when a connection arrives. */
  nextConnection(): Promise<{ socket: Socket; closed: Promise<number>; bytes: () => number }>;
  connections: () => number;
  close(): Promise<void>;
}

async function silentServer(): Promise<SilentServer> {
  const waiting: ((c: Awaited<ReturnType<SilentServer['nextConnection']>>) => void)[] = [];
  let count = 0;
  const sockets = new Set<Socket>();
  const server: Server = createServer((socket) => {
    count++;
    sockets.add(socket);
    let received = 0;
    socket.on('data', (d) => (received += d.length));
    const opened = performance.now();
    const closed = new Promise<number>((resolve) => socket.on('close', () => resolve(performance.now() - opened)));
    socket.on('error', () => {});
    waiting.shift()?.({ socket, closed, bytes: () => received });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  assert.ok(address !== null && typeof address === 'object');
  return {
    port: address.port,
    nextConnection: () => new Promise((resolve) => waiting.push(resolve)),
    connections: () => count,
    close: () =>
      new Promise<void>((resolve) => {
        for (const s of sockets) s.destroy();
        server.close(() => resolve());
      }),
  };
}

const ping = { cmd: 'CtsCmd', api: CtsApi.PING } as const;
const identity = { remoteUser: 'tester' } as const;

function isCode(code: string) {
  return (e: unknown) => {
    assert.ok(e instanceof EcflowError, String(e));
    assert.equal(e.code, code, e.message);
    return true;
  };
}

test('a request without a reply times out after the per-command default, socket closed', async () => {
  const srv = await silentServer();
  try {
    const client = new EcflowClient({ host: '127.0.0.1', port: srv.port, identity, timeouts: { default: 300 } });
    const conn = srv.nextConnection();
    const started = performance.now();
    await assert.rejects(client.request(ping), (e: unknown) => {
      isCode('TIMEOUT')(e);
      assert.match((e as Error).message, /^request\( --ping \) to 127\.0\.0\.1:\d+ timed out after 300 ms$/);
      return true;
    });
    const elapsed = performance.now() - started;
    assert.ok(elapsed >= 290 && elapsed < 1500, `elapsed ${elapsed}`);
    const c = await conn;
    await c.closed; // our side destroyed the socket
    assert.ok(c.bytes() > 8, 'the request frame was written');
  } finally {
    await srv.close();
  }
});

test('NEWS uses its own (shorter) timeout; timeoutMs overrides per request', async () => {
  const srv = await silentServer();
  try {
    const client = new EcflowClient({ host: '127.0.0.1', port: srv.port, identity, timeouts: { news: 150, default: 10_000 } });
    let t = performance.now();
    await assert.rejects(client.request({ cmd: 'CSyncCmd', api: SyncApi.NEWS }), isCode('TIMEOUT'));
    assert.ok(performance.now() - t < 2000);
    t = performance.now();
    await assert.rejects(client.request(ping, { timeoutMs: 100 }), isCode('TIMEOUT'));
    assert.ok(performance.now() - t < 2000);
  } finally {
    await srv.close();
  }
});

test('aborting a waiting request rejects with EcflowCancelledError and destroys the socket', async () => {
  const srv = await silentServer();
  try {
    const client = new EcflowClient({ host: '127.0.0.1', port: srv.port, identity });
    const ac = new AbortController();
    const conn = srv.nextConnection();
    const pending = client.request(ping, { signal: ac.signal });
    const c = await conn;
    const abortedAt = performance.now();
    ac.abort();
    await assert.rejects(pending, (e: unknown) => {
      assert.ok(e instanceof EcflowCancelledError);
      assert.equal(e.code, 'CANCELLED');
      return true;
    });
    await c.closed;
    assert.ok(performance.now() - abortedAt < 1000);
  } finally {
    await srv.close();
  }
});

test('an already-aborted signal: CANCELLED, no connection is made', async () => {
  const srv = await silentServer();
  try {
    const client = new EcflowClient({ host: '127.0.0.1', port: srv.port, identity });
    await assert.rejects(client.request(ping, { signal: AbortSignal.abort() }), isCode('CANCELLED'));
    await new Promise((r) => setTimeout(r, 50));
    assert.equal(srv.connections(), 0);
  } finally {
    await srv.close();
  }
});

test('connect timeout: a connector that never connects fails with CONNECT after timeouts.connect', async () => {
  let sawAbort = false;
  const hanging: Connector = (_target, signal) =>
    new Promise<Duplex>(() => {
      signal.addEventListener('abort', () => (sawAbort = true));
    });
  const client = new EcflowClient({ host: 'unreachable.invalid', port: 3141, identity, connector: hanging, timeouts: { connect: 150 } });
  const t = performance.now();
  await assert.rejects(client.request(ping), (e: unknown) => {
    isCode('CONNECT')(e);
    assert.match((e as Error).message, /unreachable\.invalid:3141.*within 150 ms/);
    return true;
  });
  assert.ok(performance.now() - t < 2000);
  assert.ok(sawAbort, 'the connector was told to give up');
});

test('a stream delivered after the caller aborted is destroyed', async () => {
  const srv = await silentServer();
  try {
    const ac = new AbortController();
    let delivered: Duplex | undefined;
    const late: Connector = async (target) => {
      ac.abort(); // the caller gives up while we connect ...
      delivered = await directConnector(target, new AbortController().signal); // ... and we ignore the signal
      return delivered;
    };
    const client = new EcflowClient({ host: '127.0.0.1', port: srv.port, identity, connector: late });
    await assert.rejects(client.request(ping, { signal: ac.signal }), isCode('CANCELLED'));
    await new Promise((r) => setTimeout(r, 100));
    assert.ok(delivered?.destroyed, 'late stream destroyed');
  } finally {
    await srv.close();
  }
});

test('invalid options are refused at construction', () => {
  assert.throws(() => new EcflowClient({ host: '', port: 3141 }), isCode('INVALID_ARGUMENT'));
  assert.throws(() => new EcflowClient({ host: 'vm', port: 0 }), isCode('INVALID_ARGUMENT'));
  assert.throws(() => new EcflowClient({ host: 'vm', port: 70000 }), isCode('INVALID_ARGUMENT'));
  assert.throws(() => new EcflowClient({ host: 'vm', port: 3141, timeouts: { news: -5 } }), isCode('INVALID_ARGUMENT'));
});

test('an unusable per-request timeoutMs is refused before connecting', async () => {
  let connects = 0;
  const connector: Connector = () => {
    connects++;
    return new Promise<Duplex>(() => {});
  };
  const client = new EcflowClient({ host: 'vm', port: 3141, identity, connector });
  await assert.rejects(client.request(ping, { timeoutMs: 0 }), isCode('INVALID_ARGUMENT'));
  await assert.rejects(client.request(ping, { timeoutMs: 2 ** 40 }), isCode('INVALID_ARGUMENT'));
  assert.equal(connects, 0);
});
