// LogServerClient against a tiny in-test TCP server (real sockets, port 0): the captured
// ecflow_logsvr exchanges (shared/vectors/logsvr-*.json) replayed byte for byte, the Connector
// hook, size limit, idle timeout, cancellation, refusals and a reset in the middle of a reply.
import assert from 'node:assert/strict';
import { createServer } from 'node:net';
import { after, before, describe, test } from 'node:test';
import { EcflowCancelledError, EcflowError, ErrorCode } from '../errors.js';
import { loadVectors, vectorKind, type TestVector } from '../protocol/test-vectors.js';
import type { Connector } from '../transport/connector.js';
import { directConnector } from '../transport/tcp.js';
import { fakeLogServer, type FakeLogServer } from './fake-log-server.js';
import { LogServerClient } from './log-server-client.js';
import { decodeOutput, LogServerRefusedError } from './log-server-protocol.js';

/** The request line as ecflow_logsvr reads it: up to the newline, blanks collapsed (perl `split ' '`). */
function normalise(requestRaw: string): string {
  return requestRaw.slice(0, requestRaw.indexOf('\n')).trim().split(/\s+/).join(' ');
}

const utf8 = (s: string): Uint8Array => new TextEncoder().encode(s);

async function rejectsWith(p: Promise<unknown>, code: string, message?: RegExp): Promise<EcflowError> {
  let caught: unknown;
  await p.then(
    () => assert.fail('expected a rejection'),
    (e: unknown) => {
      caught = e;
    },
  );
  assert.ok(caught instanceof EcflowError, `expected EcflowError, got ${String(caught)}`);
  assert.equal(caught.code, code, caught.message);
  if (message) assert.match(caught.message, message);
  return caught;
}

describe('captured ecflow_logsvr exchanges replayed', () => {
  let vectors: TestVector[] = [];
  let server: FakeLogServer;
  let client: LogServerClient;
  const byName = (name: string): TestVector => {
    const v = vectors.find((x) => x.name === name);
    assert.ok(v, `vector ${name} missing`);
    return v;
  };

  before(async () => {
    vectors = (await loadVectors('5.9.2')).filter((v) => vectorKind(v) === 'logsvr');
    assert.equal(vectors.length, 11, 'expected the 11 logsvr-*.json vectors');
    const replies = new Map<string, Uint8Array>();
    for (const v of vectors) {
      const reply = utf8(v.response_raw);
      assert.equal(reply.length, v.response_bytes, `${v.file}: response length`);
      replies.set(normalise(v.request_raw), reply);
    }
    server = await fakeLogServer((line) => replies.get(line) ?? new Uint8Array());
    client = new LogServerClient({ host: '127.0.0.1', port: server.port });
  });
  after(() => server.close());

  test('every request we send is the captured one (up to the spacing ecflow_logsvr ignores)', async () => {
    const sent = server.requests.length;
    await client.version();
    await client.getf('/home/ops/ecf_home/s1/f1/t1.1');
    await client.get('/home/ops/ecf_home/s1/f1/t1.1');
    await client.delta(100, 0, 'x', '/home/ops/ecf_home/s1/f1/t1.1');
    await client.list('/home/ops/ecf_home/s1/f1/t1.1');
    await client.delta(734, 1795677291, 'x', '/home/ops/ecf_home/s1/f1/t1.1');
    await client.delta(734, 1, 'x', '/home/ops/ecf_home/s1/f1/t1.1');
    await client.delta(9999, 1, 'x', '/home/ops/ecf_home/s1/f1/t1.1');
    for (const p of ['/etc/passwd', '/home/ops/ecf_home/nonexistent.1']) await client.getf(p).catch(() => {});
    await client.request('bogus' as 'get', ['/home/ops/x']).catch(() => {});
    const ours = server.requests.slice(sent);
    assert.deepEqual(new Set(ours), new Set(vectors.map((v) => normalise(v.request_raw))));
  });

  test('version', async () => {
    assert.equal(await client.version(), 2);
  });

  test('get and getf give the same bytes; getf adds mtime and checksum', async () => {
    const raw = await client.get('/home/ops/ecf_home/s1/f1/t1.1');
    const f = await client.getf('/home/ops/ecf_home/s1/f1/t1.1');
    assert.equal(f.mtime, 1795677291);
    assert.equal(f.checksum, 'x');
    assert.deepEqual(Buffer.from(f.content), Buffer.from(raw));
    assert.equal(raw.length, byName('logsvr-get').response_bytes);
    assert.match(decodeOutput(f.content), /this is t1 running\n/);
  });

  test('delta: appended from pos, unchanged, full when mtime differs or pos is past the end', async () => {
    const whole = await client.get('/home/ops/ecf_home/s1/f1/t1.1');
    const partial = await client.delta(100, 0, 'x', '/home/ops/ecf_home/s1/f1/t1.1');
    assert.equal(partial.kind, 'appended');
    if (partial.kind === 'appended') {
      assert.equal(partial.mtime, 1795677291);
      assert.deepEqual(Buffer.from(partial.bytes), Buffer.from(whole.subarray(100)));
    }
    assert.deepEqual(await client.delta(734, 1795677291, 'x', '/home/ops/ecf_home/s1/f1/t1.1'), { kind: 'unchanged' });
    for (const pos of [734, 9999]) {
      const full = await client.delta(pos, 1, 'x', '/home/ops/ecf_home/s1/f1/t1.1');
      assert.equal(full.kind, 'full');
      if (full.kind === 'full') assert.deepEqual(Buffer.from(full.content), Buffer.from(whole));
    }
  });

  test('list: the files sharing the stem, with their stat fields', async () => {
    const entries = await client.list('/home/ops/ecf_home/s1/f1/t1.1');
    assert.deepEqual(
      entries.map((e) => e.path.slice(e.path.lastIndexOf('/') + 1)),
      ['t1.job1', 't1.2', 't1.ecf', 't1.1', 't1.job2'],
    );
    assert.deepEqual(entries[3], {
      mode: 33188,
      uid: 0,
      gid: 0,
      size: 734,
      atime: 1795677509,
      mtime: 1795677291,
      ctime: 1795677291,
      path: '/home/ops/ecf_home/s1/f1/t1.1',
    });
  });

  test('outside LOGPATH, missing file, unknown verb: zero bytes → LogServerRefusedError naming all three', async () => {
    for (const p of [client.getf('/etc/passwd'), client.getf('/home/ops/ecf_home/nonexistent.1'), client.request('bogus' as 'get', ['/home/ops/x'])]) {
      const e = await rejectsWith(p, ErrorCode.SERVER, /sent nothing for '.+': the file does not exist, is outside the log server's LOGPATH, or the request is not understood/);
      assert.ok(e instanceof LogServerRefusedError);
      assert.equal(e.address, `127.0.0.1:${server.port}`);
    }
  });
});

describe('LogServerClient behaviour', () => {
  test('goes through the Connector it is given', async () => {
    const server = await fakeLogServer(() => utf8('2'));
    try {
      const targets: string[] = [];
      const counting: Connector = (target, signal) => {
        targets.push(`${target.host}:${target.port}`);
        return directConnector(target, signal);
      };
      const client = new LogServerClient({ host: '127.0.0.1', port: server.port, connector: counting });
      assert.equal(await client.version(), 2);
      assert.equal(await client.version(), 2);
      assert.deepEqual(targets, [`127.0.0.1:${server.port}`, `127.0.0.1:${server.port}`]);
    } finally {
      await server.close();
    }
  });

  test('a connector failure is a CONNECT error naming the log server', async () => {
    const failing: Connector = () => Promise.reject(new Error('SOCKS5 proxy refused'));
    const client = new LogServerClient({ host: 'logserver1', port: 9316, connector: failing });
    await rejectsWith(client.version(), ErrorCode.CONNECT, /logserver1:9316.*SOCKS5 proxy refused/);
  });

  test('nothing listening: CONNECT', async () => {
    const server = await fakeLogServer(() => utf8('2'));
    const port = server.port;
    await server.close();
    await rejectsWith(new LogServerClient({ host: '127.0.0.1', port }).version(), ErrorCode.CONNECT, /connection refused/);
  });

  test('a large reply arriving in many chunks is accumulated intact', async () => {
    const piece = new Uint8Array(64 * 1024).map((_, i) => i % 251);
    const chunks = Array.from({ length: 40 }, () => piece);
    const server = await fakeLogServer(() => ({ chunks: [utf8('0:7:x:'), ...chunks], delayMs: 0 }));
    try {
      const f = await new LogServerClient({ host: '127.0.0.1', port: server.port }).getf('/big.1');
      assert.equal(f.content.length, 40 * piece.length);
      assert.equal(f.content[65536 + 300], 300 % 251);
      assert.equal(f.mtime, 7);
    } finally {
      await server.close();
    }
  });

  test('a reply above maxBytes fails clearly (FRAME) and stops reading', async () => {
    const server = await fakeLogServer(() => new Uint8Array(300_000));
    try {
      const client = new LogServerClient({ host: '127.0.0.1', port: server.port, maxBytes: 100_000 });
      await rejectsWith(client.get('/big.1'), ErrorCode.FRAME, /larger than 100000 bytes \(the maxBytes limit\)/);
      const ok = await client.get('/big.1', { maxBytes: 1024 * 1024 });
      assert.equal(ok.length, 300_000);
    } finally {
      await server.close();
    }
  });

  test('silence longer than timeoutMs: TIMEOUT; a slow but steady reply is fine', async () => {
    const server = await fakeLogServer((line) =>
      line.startsWith('get /hang') ? { hang: true } : { chunks: [utf8('a'), utf8('b'), utf8('c'), utf8('d')], delayMs: 120 },
    );
    try {
      const client = new LogServerClient({ host: '127.0.0.1', port: server.port, timeoutMs: 300 });
      const started = performance.now();
      await rejectsWith(client.get('/hang.1'), ErrorCode.TIMEOUT, /no answer to 'get \/hang.1' for 300 ms/);
      assert.ok(performance.now() - started < 2000);
      // 4 chunks 120 ms apart: ~480 ms in total, never 300 ms of silence.
      assert.equal(decodeOutput(await client.get('/slow.1')), 'abcd');
    } finally {
      await server.close();
    }
  });

  test('abort: EcflowCancelledError, before or during the request', async () => {
    const server = await fakeLogServer(() => ({ hang: true }));
    try {
      const client = new LogServerClient({ host: '127.0.0.1', port: server.port });
      const early = new AbortController();
      early.abort();
      await assert.rejects(client.get('/x.1', { signal: early.signal }), EcflowCancelledError);
      const later = new AbortController();
      setTimeout(() => later.abort(), 100);
      const e = await rejectsWith(client.get('/x.1', { signal: later.signal }), ErrorCode.CANCELLED, /cancelled/);
      assert.ok(e instanceof EcflowCancelledError);
    } finally {
      await server.close();
    }
  });

  test('a reset in the middle of a reply: CONNECTION_CLOSED with the byte count', async () => {
    // Closing with the request still unread makes the kernel send RST instead of FIN.
    const server = createServer({ pauseOnConnect: true }, (socket) => {
      socket.on('error', () => {});
      socket.write('0:1:x:partial');
      setTimeout(() => socket.destroy(), 150);
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    try {
      const { port } = server.address() as { port: number };
      const client = new LogServerClient({ host: '127.0.0.1', port });
      await rejectsWith(client.getf('/x.1'), ErrorCode.CONNECTION_CLOSED, /connection lost after 13 bytes .*ECONNRESET/);
    } finally {
      await new Promise<void>((resolve) => server.close(() => resolve()));
    }
  });

  test('bad arguments are refused before connecting', async () => {
    const never: Connector = () => assert.fail('must not connect');
    const client = new LogServerClient({ host: 'h', port: 1, connector: never });
    await rejectsWith(client.getf('/a\nb'), ErrorCode.INVALID_ARGUMENT);
    await rejectsWith(client.getf(''), ErrorCode.INVALID_ARGUMENT);
    await rejectsWith(client.delta(-1, 0, 'x', '/a.1'), ErrorCode.INVALID_ARGUMENT, /pos/);
    assert.throws(() => new LogServerClient({ host: 'h', port: 0 }), /port/);
    assert.throws(() => new LogServerClient({ host: 'a b', port: 1 }), /host/);
    assert.throws(() => new LogServerClient({ host: 'h', port: 1, maxBytes: 0 }), /maxBytes/);
  });

  test('delta sends x for an unknown checksum', async () => {
    const server = await fakeLogServer(() => utf8('1'));
    try {
      const client = new LogServerClient({ host: '127.0.0.1', port: server.port });
      assert.deepEqual(await client.delta(5, 9, '', '/a.1'), { kind: 'unchanged' });
      assert.deepEqual(server.requests, ['delta 5 9 x /a.1']);
    } finally {
      await server.close();
    }
  });
});
