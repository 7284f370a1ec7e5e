/**
 * A tiny TCP / SOCKS5 probe for the namespace lab, run as a separate program INSIDE a namespace
 * (`ip netns exec <home> node probe.js …`): a SOCKS port opened by `ssh -D` in the home namespace
 * exists only there, so the test process itself cannot connect to it. No dependencies.
 *
 *   node probe.js tcp   <host> <port>                                [--send TEXT] [--timeout MS] [--first]
 *   node probe.js socks <proxyHost> <proxyPort> <host> <port>        [--send TEXT] [--timeout MS] [--first]
 *   node probe.js listen <host> <port>          (holds a port: prints {"listening":port} and waits)
 *
 * Prints one JSON line: { ok, stage, error?, data, ms }. `stage` is where it stopped:
 * 'connect' (TCP to the target or proxy), 'socks-greeting', 'socks-connect' (OpenSSH closes without a
 * SOCKS reply when the far side cannot connect — connectivity-notes §1.4), 'read' (then ok = true:
 * data holds what arrived until the peer closed, or with --first the first bytes; a read timeout
 * gives ok = false with error 'read timeout' and the data so far).
 * The SOCKS5 CONNECT sends the host name (ATYP 3), so the far side resolves it ("remote DNS").
 */
import { connect, createServer, type Socket } from 'node:net';

interface ProbeOutput {
  ok: boolean;
  stage: 'connect' | 'socks-greeting' | 'socks-connect' | 'read';
  error?: string;
  data: string;
  ms: number;
}

const argv = process.argv.slice(2);
const flags = new Map<string, string>();
const pos: string[] = [];
for (let i = 0; i < argv.length; i++) {
  const a = argv[i] ?? '';
  if (a === '--first') flags.set('first', '1');
  else if (a.startsWith('--')) flags.set(a.slice(2), argv[++i] ?? '');
  else pos.push(a);
}
const started = performance.now();
const timeoutMs = Number(flags.get('timeout') ?? '5000');
const send = flags.get('send');
const firstOnly = flags.has('first');

function done(out: Omit<ProbeOutput, 'ms'>): never {
  process.stdout.write(`${JSON.stringify({ ...out, ms: Math.round(performance.now() - started) })}\n`);
  process.exit(0);
}

function readAll(sock: Socket, initial: Buffer): void {
  const chunks: Buffer[] = initial.length > 0 ? [initial] : [];
  const finish = (error?: string): never =>
    done({ ok: error === undefined, stage: 'read', ...(error ? { error } : {}), data: Buffer.concat(chunks).toString('utf8') });
  if (firstOnly && chunks.length > 0) finish();
  setTimeout(() => finish('read timeout'), timeoutMs);
  sock.on('data', (b: Buffer) => {
    chunks.push(b);
    if (firstOnly) finish();
  });
  sock.on('end', () => finish());
  sock.on('close', () => finish());
  sock.on('error', (e: NodeJS.ErrnoException) => finish(e.code ?? e.message));
  if (send !== undefined) sock.write(send);
}

function tcp(host: string, port: number): void {
  const sock = connect({ host, port });
  const timer = setTimeout(() => done({ ok: false, stage: 'connect', error: 'ETIMEDOUT', data: '' }), timeoutMs);
  sock.once('error', (e: NodeJS.ErrnoException) => done({ ok: false, stage: 'connect', error: e.code ?? e.message, data: '' }));
  sock.once('connect', () => {
    clearTimeout(timer);
    sock.removeAllListeners('error');
    readAll(sock, Buffer.alloc(0));
  });
}

function socks(proxyHost: string, proxyPort: number, host: string, port: number): void {
  const sock = connect({ host: proxyHost, port: proxyPort });
  let stage: ProbeOutput['stage'] = 'connect';
  let buf = Buffer.alloc(0);
  const timer = setTimeout(() => done({ ok: false, stage, error: 'ETIMEDOUT', data: '' }), timeoutMs);
  sock.on('error', (e: NodeJS.ErrnoException) => done({ ok: false, stage, error: e.code ?? e.message, data: '' }));
  sock.on('close', () => done({ ok: false, stage, error: 'closed by proxy', data: '' }));
  sock.once('connect', () => {
    stage = 'socks-greeting';
    sock.write(Buffer.from([5, 1, 0])); // version 5, one method: no authentication
  });
  const onData = (b: Buffer): void => {
    buf = Buffer.concat([buf, b]);
    if (stage === 'socks-greeting') {
      if (buf.length < 2) return;
      if (buf[0] !== 5 || buf[1] !== 0) {
        done({ ok: false, stage, error: `method reply ${buf.subarray(0, 2).toString('hex')}`, data: '' });
      }
      buf = buf.subarray(2);
      stage = 'socks-connect';
      const name = Buffer.from(host, 'utf8');
      const req = Buffer.concat([Buffer.from([5, 1, 0, 3, name.length]), name, Buffer.from([port >> 8, port & 0xff])]);
      sock.write(req);
    }
    if (stage === 'socks-connect') {
      if (buf.length < 5) return;
      if (buf[1] !== 0) done({ ok: false, stage, error: `socks reply ${buf[1]}`, data: '' });
      const atyp = buf[3];
      const len = atyp === 1 ? 10 : atyp === 4 ? 22 : 7 + (buf[4] ?? 0);
      if (buf.length < len) return;
      const rest = buf.subarray(len);
      clearTimeout(timer);
      sock.removeAllListeners('data');
      sock.removeAllListeners('error');
      sock.removeAllListeners('close');
      readAll(sock, rest);
    }
  };
  sock.on('data', onData);
}

function listen(host: string, port: number): void {
  const srv = createServer((s) => s.destroy());
  srv.once('error', (e: NodeJS.ErrnoException) => {
    process.stdout.write(`${JSON.stringify({ error: e.code ?? e.message })}\n`);
    process.exit(1);
  });
  srv.listen({ host, port }, () => {
    const addr = srv.address();
    process.stdout.write(`${JSON.stringify({ listening: typeof addr === 'object' && addr ? addr.port : port })}\n`);
  });
}

const [mode, a1 = '', a2 = '', a3 = '', a4 = ''] = pos;
if (mode === 'tcp') tcp(a1, Number(a2));
else if (mode === 'socks') socks(a1, Number(a2), a3, Number(a4));
else if (mode === 'listen') listen(a1, Number(a2));
else {
  process.stderr.write(
    'usage: probe.js tcp HOST PORT | socks PHOST PPORT HOST PORT | listen HOST PORT  [--send T] [--timeout MS] [--first]\n',
  );
  process.exit(2);
}
