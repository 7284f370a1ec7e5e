/**
 * socksConnector against a tiny SOCKS5 server written here (real sockets on 127.0.0.1) that
 * records each CONNECT request byte for byte and can behave like OpenSSH's `-D` on failure (close
 * without a reply), like a strict SOCKS server (REP codes), or not like SOCKS at all.
 * The real `ssh -D` is exercised in test/socks.test.ts.
 */
import assert from 'node:assert/strict';
import { once } from 'node:events';
import { createServer, type AddressInfo, type Server, type Socket } from 'node:net';
import { after, before, test } from 'node:test';
import { EcflowError } from '../errors.js';
import { REMOTE_CLOSED_REASON, socksConnector } from './socks.js';

type Mode =
  | { kind: 'relay' }
  | { kind: 'close-after-greeting' }
  | { kind: 'reply'; rep: number }
  | { kind: 'close-at-once' }
  | { kind: 'not-socks' }
  | { kind: 'silent' }
  | { kind: 'banner'; text: string };

interface ConnectRequest {
  atyp: number;
  host: string;
  port: number;
  bytes: Buffer;
}

/** A SOCKS5 server for tests: no auth, CONNECT only; `names` maps host names to where they go. */
class TinySocks {
  readonly requests: ConnectRequest[] = [];
  mode: Mode = { kind: 'relay' };
  names = new Map<string, { host: string; port: number }>();
  private readonly server: Server;
  private readonly open = new Set<Socket>();
  private readonly upstreams = new Set<Socket>();
  closedConnections = 0;

  constructor() {
    this.server = createServer((s) => this.handle(s));
  }
  async listen(): Promise<number> {
    this.server.listen(0, '127.0.0.1');
    await once(this.server, 'listening');
    return (this.server.address() as AddressInfo).port;
  }
  async close(): Promise<void> {
    for (const s of this.open) s.destroy();
    for (const s of this.upstreams) s.destroy();
    await new Promise<void>((r) => this.server.close(() => r()));
  }

  private handle(s: Socket): void {
    this.open.add(s);
    s.on('close', () => {
      this.open.delete(s);
      this.closedConnections++;
    });
    s.on('error', () => {});
    const mode = this.mode;
    if (mode.kind === 'close-at-once') {
      s.destroy();
      return;
    }
    if (mode.kind === 'not-socks') {
      s.end('HTTP/1.1 400 Bad Request\r\n\r\n');
      return;
    }
    if (mode.kind === 'silent') return;
    let buf = Buffer.alloc(0);
    let stage: 'greeting' | 'request' | 'done' = 'greeting';
    const onData = (chunk: Buffer) => {
      buf = Buffer.concat([buf, chunk]);
      if (stage === 'greeting') {
        if (buf.length < 2 || buf.length < 2 + (buf[1] ?? 0)) return;
        buf = buf.subarray(2 + (buf[1] ?? 0));
        s.write(Buffer.from([5, 0]));
        stage = 'request';
        if (mode.kind === 'close-after-greeting') {
          // OpenSSH: reads the request, then closes without any reply.
        }
      }
      if (stage === 'request') {
        const req = parseRequest(buf);
        if (req === undefined) return;
        stage = 'done';
        s.off('data', onData);
        this.requests.push(req);
        const rest = buf.subarray(req.bytes.length);
        this.answer(s, req, mode, rest);
      }
    };
    s.on('data', onData);
  }

  private answer(s: Socket, req: ConnectRequest, mode: Mode, rest: Buffer): void {
    const success = Buffer.from([5, 0, 0, 1, 0, 0, 0, 0, 0, 0]);
    switch (mode.kind) {
      case 'close-after-greeting':
        s.destroy();
        return;
      case 'reply':
        s.end(Buffer.from([5, mode.rep, 0, 1, 0, 0, 0, 0, 0, 0]));
        return;
      case 'banner':
        // success reply and the target's first bytes in one write (like an SSH- banner)
        s.write(Buffer.concat([success, Buffer.from(mode.text)]));
        s.end();
        return;
      case 'relay': {
        const to = this.names.get(req.host) ?? { host: req.host, port: req.port };
        const upstream = new (s.constructor as typeof Socket)();
        this.upstreams.add(upstream);
        upstream.on('close', () => {
          this.upstreams.delete(upstream);
          s.destroy();
        });
        s.on('close', () => upstream.destroy());
        upstream.on('error', () => s.destroy());
        upstream.connect(to.port, to.host, () => {
          s.write(success);
          if (rest.length > 0) upstream.write(rest);
          s.pipe(upstream);
          upstream.pipe(s);
        });
        return;
      }
      default:
        s.destroy();
    }
  }
}

function parseRequest(buf: Buffer): ConnectRequest | undefined {
  if (buf.length < 5) return undefined;
  const atyp = buf[3] ?? 0;
  let hostEnd: number;
  let host: string;
  if (atyp === 1) {
    hostEnd = 8;
    if (buf.length < hostEnd + 2) return undefined;
    host = [...buf.subarray(4, 8)].join('.');
  } else if (atyp === 3) {
    const len = buf[4] ?? 0;
    hostEnd = 5 + len;
    if (buf.length < hostEnd + 2) return undefined;
    host = buf.subarray(5, hostEnd).toString('latin1');
  } else if (atyp === 4) {
    hostEnd = 20;
    if (buf.length < hostEnd + 2) return undefined;
    const parts: string[] = [];
    for (let i = 4; i < 20; i += 2) parts.push(buf.readUInt16BE(i).toString(16));
    host = parts.join(':');
  } else {
    return { atyp, host: '?', port: 0, bytes: buf };
  }
  return { atyp, host, port: buf.readUInt16BE(hostEnd), bytes: Buffer.from(buf.subarray(0, hostEnd + 2)) };
}

/** An echo server on 127.0.0.1 (the "target" inside the centre). */
let echo: Server;
let echoPort: number;
const echoSockets = new Set<Socket>();
let socks: TinySocks;
let socksPort: number;

before(async () => {
  echo = createServer((s) => {
    echoSockets.add(s);
    s.on('close', () => echoSockets.delete(s));
    s.on('error', () => {});
    s.pipe(s);
  });
  echo.listen(0, '127.0.0.1');
  await once(echo, 'listening');
  echoPort = (echo.address() as AddressInfo).port;
  socks = new TinySocks();
  socksPort = await socks.listen();
});
after(async () => {
  await socks.close();
  for (const s of echoSockets) s.destroy();
  await new Promise<void>((r) => echo.close(() => r()));
});

function reset(mode: Mode): void {
  socks.mode = mode;
  socks.requests.length = 0;
  socks.names.clear();
}

async function roundTrip(socket: Socket, text: string): Promise<string> {
  socket.write(text);
  let got = '';
  for await (const chunk of socket) {
    got += String(chunk);
    if (got.length >= text.length) break;
  }
  socket.destroy();
  return got;
}

function rejectsWith(code: string, message: string | RegExp) {
  return (e: unknown) => {
    assert.ok(e instanceof EcflowError, String(e));
    assert.equal(e.code, code);
    if (typeof message === 'string') assert.equal(e.message, message);
    else assert.match(e.message, message);
    return true;
  };
}

const signal = () => AbortSignal.timeout(10_000);

test('a host name is sent as a SOCKS5 domain name (ATYP 3), byte for byte', async () => {
  reset({ kind: 'relay' });
  const connector = socksConnector({ host: '127.0.0.1', port: socksPort });
  const s = await connector({ host: 'localhost', port: echoPort }, signal());
  assert.equal(await roundTrip(s, 'hello through socks'), 'hello through socks');
  assert.equal(socks.requests.length, 1);
  const req = socks.requests[0];
  assert.ok(req);
  const expected = Buffer.concat([
    Buffer.from([5, 1, 0, 3, 'localhost'.length]),
    Buffer.from('localhost', 'ascii'),
    Buffer.from([echoPort >> 8, echoPort & 0xff]),
  ]);
  assert.deepEqual(req.bytes, expected);
});

test('a name unknown to this machine is never resolved locally: the proxy resolves it', async () => {
  reset({ kind: 'relay' });
  socks.names.set('machine1.centre.invalid', { host: '127.0.0.1', port: echoPort });
  const connector = socksConnector({ host: '127.0.0.1', port: socksPort }, { label: 'centre' });
  const s = await connector({ host: 'machine1.centre.invalid', port: 4141 }, signal());
  assert.equal(await roundTrip(s, 'abc'), 'abc');
  assert.deepEqual(
    socks.requests.map((r) => [r.atyp, r.host, r.port]),
    [[3, 'machine1.centre.invalid', 4141]],
  );
});

test('many targets on the same port through one SOCKS port (log servers by name)', async () => {
  reset({ kind: 'relay' });
  for (const n of ['logserver1', 'logserver2', 'logserver3']) socks.names.set(n, { host: '127.0.0.1', port: echoPort });
  const connector = socksConnector({ host: '127.0.0.1', port: socksPort });
  const replies = await Promise.all(
    ['logserver1', 'logserver2', 'logserver3'].map(async (n) => roundTrip(await connector({ host: n, port: 9316 }, signal()), n)),
  );
  assert.deepEqual(replies, ['logserver1', 'logserver2', 'logserver3']);
  assert.deepEqual(socks.requests.map((r) => r.host).sort(), ['logserver1', 'logserver2', 'logserver3']);
});

test('IP literals go as ATYP 1 and 4; a non-ASCII name goes as its IDNA form', async () => {
  reset({ kind: 'reply', rep: 5 });
  const connector = socksConnector({ host: '127.0.0.1', port: socksPort });
  await assert.rejects(connector({ host: '10.1.2.3', port: 1 }, signal()));
  await assert.rejects(connector({ host: '::1', port: 2 }, signal()));
  await assert.rejects(connector({ host: 'bücher.example', port: 3 }, signal()));
  assert.deepEqual(
    socks.requests.map((r) => [r.atyp, r.host, r.port]),
    [
      [1, '10.1.2.3', 1],
      [4, '0:0:0:0:0:0:0:1', 2],
      [3, 'xn--bcher-kva.example', 3],
    ],
  );
});

test("OpenSSH's failure (close after the greeting, no reply) gets the route's explanation", async () => {
  reset({ kind: 'close-after-greeting' });
  const connector = socksConnector({ host: '127.0.0.1', port: socksPort }, { label: 'centre' });
  await assert.rejects(
    connector({ host: 'machine1', port: 4141 }, signal()),
    rejectsWith(
      'CONNECT',
      `cannot reach machine1:4141 through route 'centre' (SOCKS 127.0.0.1:${socksPort}): ${REMOTE_CLOSED_REASON}`,
    ),
  );
  assert.equal(
    REMOTE_CLOSED_REASON,
    "the remote side closed the connection — the host may be unknown inside the centre or the port closed (OpenSSH's SOCKS server gives no reason; see the route's log)",
  );
});

test('a closed SOCKS port says the route is not up', async () => {
  const closed = createServer();
  closed.listen(0, '127.0.0.1');
  await once(closed, 'listening');
  const port = (closed.address() as AddressInfo).port;
  await new Promise<void>((r) => closed.close(() => r()));
  const connector = socksConnector({ host: '127.0.0.1', port }, { label: 'centre' });
  await assert.rejects(
    connector({ host: 'machine1', port: 4141 }, signal()),
    rejectsWith(
      'CONNECT',
      `cannot reach machine1:4141 through route 'centre' (SOCKS 127.0.0.1:${port}): nothing listens on the SOCKS port (ECONNREFUSED): the route is not up`,
    ),
  );
  // without a label
  await assert.rejects(
    socksConnector({ host: '127.0.0.1', port })({ host: 'machine1', port: 4141 }, signal()),
    rejectsWith('CONNECT', /^cannot reach machine1:4141 through SOCKS 127\.0\.0\.1:\d+: nothing listens/),
  );
});

test('SOCKS reply codes are explained', async () => {
  const connector = socksConnector({ host: '127.0.0.1', port: socksPort }, { label: 'c' });
  const cases: Array<[number, RegExp]> = [
    [1, /general SOCKS server failure \(REP 1\)$/],
    [4, /host unreachable or unknown inside the centre \(REP 4\)$/],
    [5, /the SOCKS server refused: connection refused by the target: is the server running on that port\? \(REP 5\)$/],
  ];
  for (const [rep, pattern] of cases) {
    reset({ kind: 'reply', rep });
    await assert.rejects(connector({ host: 'machine1', port: 4141 }, signal()), rejectsWith('CONNECT', pattern));
  }
});

test('a port that is not SOCKS5 is named as such', async () => {
  const connector = socksConnector({ host: '127.0.0.1', port: socksPort });
  reset({ kind: 'not-socks' });
  await assert.rejects(connector({ host: 'm', port: 1 }, signal()), rejectsWith('CONNECT', /does not speak SOCKS5/));
  reset({ kind: 'close-at-once' });
  await assert.rejects(
    connector({ host: 'm', port: 1 }, signal()),
    rejectsWith('CONNECT', /closed the connection before answering the SOCKS5 greeting: is it a SOCKS5 port \(ssh -D\)\?$/),
  );
});

test('bytes sent by the target together with the SOCKS reply reach any kind of consumer', async () => {
  const banner = 'SSH-2.0-OpenSSH_9.2p1\r\n';
  reset({ kind: 'banner', text: banner });
  const connector = socksConnector({ host: '127.0.0.1', port: socksPort });
  const viaIterator = async () => {
    const s = await connector({ host: 'workstation', port: 22 }, signal());
    let got = '';
    for await (const chunk of s) got += String(chunk);
    return got;
  };
  const viaData = async () => {
    const s = await connector({ host: 'workstation', port: 22 }, signal());
    let got = '';
    s.on('data', (c: Buffer) => (got += String(c)));
    await once(s, 'end');
    return got;
  };
  const viaLateData = async () => {
    const s = await connector({ host: 'workstation', port: 22 }, signal());
    await new Promise((r) => setTimeout(r, 50));
    let got = '';
    s.on('data', (c: Buffer) => (got += String(c)));
    await once(s, 'end');
    return got;
  };
  for (const consume of [viaIterator, viaData, viaLateData]) assert.equal(await consume(), banner, consume.name);
});

test('abort: before the call, while the SOCKS server is silent; the socket is closed', async () => {
  reset({ kind: 'silent' });
  const connector = socksConnector({ host: '127.0.0.1', port: socksPort });
  const reason = new Error('stop');
  await assert.rejects(connector({ host: 'm', port: 1 }, AbortSignal.abort(reason)), (e) => e === reason);
  const closedBefore = socks.closedConnections;
  const ac = new AbortController();
  const p = connector({ host: 'm', port: 1 }, ac.signal);
  setTimeout(() => ac.abort(reason), 100);
  const started = performance.now();
  await assert.rejects(p, (e) => e === reason);
  assert.ok(performance.now() - started < 2000);
  for (let i = 0; i < 100 && socks.closedConnections === closedBefore; i++) await new Promise((r) => setTimeout(r, 10));
  assert.equal(socks.closedConnections, closedBefore + 1, 'the connection to the SOCKS port is closed');
});

test('handshake timeout when the SOCKS server never answers', async () => {
  reset({ kind: 'silent' });
  const connector = socksConnector({ host: '127.0.0.1', port: socksPort }, { handshakeTimeoutMs: 200 });
  await assert.rejects(connector({ host: 'm', port: 1 }, signal()), rejectsWith('CONNECT', /no SOCKS reply within 200 ms$/));
});

test('proxy given by a function: asked on each connection, its errors passed on or explained, abortable', async () => {
  reset({ kind: 'relay' });
  let calls = 0;
  const connector = socksConnector(async () => {
    calls++;
    return { host: '127.0.0.1', port: socksPort };
  });
  assert.equal(await roundTrip(await connector({ host: 'localhost', port: echoPort }, signal()), 'x'), 'x');
  assert.equal(await roundTrip(await connector({ host: 'localhost', port: echoPort }, signal()), 'y'), 'y');
  assert.equal(calls, 2);

  const own = new EcflowError('CONNECT', "route 'centre' needs a login: run tsh login");
  await assert.rejects(socksConnector(async () => Promise.reject(own))({ host: 'm', port: 1 }, signal()), (e) => e === own);
  await assert.rejects(
    socksConnector(async () => Promise.reject(new Error('ssh exited with 255')), { label: 'centre' })({ host: 'm', port: 1 }, signal()),
    rejectsWith('CONNECT', "cannot reach m:1: route 'centre' is not available: ssh exited with 255"),
  );
  const ac = new AbortController();
  const waiting = socksConnector((sig) => new Promise((_, reject) => sig.addEventListener('abort', () => reject(new Error('gone')))));
  const p = waiting({ host: 'm', port: 1 }, ac.signal);
  ac.abort(new Error('user'));
  await assert.rejects(p, /user/);
  const deaf = socksConnector(() => new Promise(() => {})); // ignores the signal
  const ac2 = new AbortController();
  const p2 = deaf({ host: 'm', port: 1 }, ac2.signal);
  setTimeout(() => ac2.abort(new Error('user gave up')), 20);
  await assert.rejects(p2, /user gave up/);
  await assert.rejects(
    socksConnector(async () => ({ host: '127.0.0.1', port: 0 }))({ host: 'm', port: 1 }, signal()),
    rejectsWith('CONNECT', /invalid SOCKS address 127\.0\.0\.1:0/),
  );
});

test('a host name too long for SOCKS5 is refused before connecting', async () => {
  const connector = socksConnector({ host: '127.0.0.1', port: socksPort });
  await assert.rejects(connector({ host: 'a'.repeat(256), port: 1 }, signal()), rejectsWith('INVALID_ARGUMENT', /not a valid host name/));
  assert.throws(() => socksConnector({ host: '127.0.0.1', port: 1 }, { handshakeTimeoutMs: 0 }), /positive integer/);
});
