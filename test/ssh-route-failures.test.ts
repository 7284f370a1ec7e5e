/**
 * RouteSupervisor failure handling against REAL OpenSSH on loopback: expired certificate (no ssh
 * attempt at all, then a new certificate file → reconnect without restarting the supervisor),
 * expiry in the middle of a session, a certificate the server refuses (needs-login naming the jump
 * host, no retries, `login()`), a busy fixed SOCKS port, wrong and unknown host keys, a jump host
 * that is down (backoff).
 */
import assert from 'node:assert/strict';
import { readFile, writeFile } from 'node:fs/promises';
import { createServer, type Server } from 'node:net';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { RouteSupervisor, type RouteSpec, type RouteSupervisorOptions } from '../src/transport/ssh-route.js';
import { freePort } from './helpers/ports.js';
import { type SshLab, startSshLab, waitForRouteState } from './helpers/sshd.js';

let lab: SshLab;
before(async () => {
  lab = await startSshLab({ validity: '-1m:+30m' });
});
after(() => lab?.stop());

const routes: RouteSupervisor[] = [];
after(async () => {
  for (const r of routes) await r.stop();
});

const LOGIN = 'tsh login --proxy=jump.centre.test';

function makeRoute(spec: Partial<RouteSpec> = {}, options: RouteSupervisorOptions = {}): { route: RouteSupervisor; spawns: () => number } {
  const route = new RouteSupervisor(
    { name: 'lab', destination: 'ws', sshConfig: lab.sshConfig, loginCommand: LOGIN, ...spec },
    { teleportHome: null, certificateWatchIntervalMs: 200, ...options },
  );
  routes.push(route);
  let spawned = 0;
  route.on('spawn', () => spawned++);
  return { route, spawns: () => spawned };
}

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));
const connections = (): number => lab.countLog('jump', /^Connection from /);

test('expired certificate: needs-login at once with a clear message and NO ssh attempt; a new certificate file reconnects', async (t) => {
  await lab.issueCertificate('-10m:-5m');
  const before = connections();
  const { route, spawns } = makeRoute();
  route.start();
  await waitForRouteState(route, 'needs-login', 10_000);
  const s = route.status();
  assert.equal(s.lastError?.kind, 'auth');
  assert.match(s.lastError?.message ?? '', new RegExp(`route 'lab' needs a new login: certificate ${lab.certificateFile} expired at \\d\\d:\\d\\d: run \`${LOGIN}\``));
  assert.equal(s.certificate?.expired, true);
  await assert.rejects(route.waitUntilUp(1000), (e: unknown) => {
    assert.equal((e as { code?: string }).code, 'CONNECT');
    assert.match((e as Error).message, /expired at/);
    return true;
  });
  await sleep(3000); // no blind retries
  assert.equal(spawns(), 0, 'no ssh started');
  assert.equal(connections(), before, 'the jump host saw no connection');

  const t0 = performance.now();
  await lab.issueCertificate('-1m:+30m'); // "tsh login" rewrote the file
  await waitForRouteState(route, 'up', 15_000);
  t.diagnostic(`new certificate -> up in ${Math.round(performance.now() - t0)} ms (file polled every 200 ms)`);
  assert.equal(spawns(), 1);
  assert.equal(route.status().certificate?.expired, false);
  await route.stop();
});

test('certificate expiring during the session: warnings, the tunnel keeps working, the next reconnect goes to needs-login without ssh', async (t) => {
  await lab.issueCertificate('-1m:+25s');
  const { route, spawns } = makeRoute({}, { certificateWarningsMin: [0.3, 0.1] });
  const warnings: string[] = [];
  route.on('certificate-warning', (w) => warnings.push(w.message));
  route.start();
  await waitForRouteState(route, 'up', 15_000);
  // the certificate's end is rounded to the second by ssh-keygen; wait until it has passed
  const validTo = Date.parse(route.status().certificate?.validTo ?? '');
  await sleep(Math.max(0, validTo - Date.now()) + 1500);
  t.diagnostic(`warnings: ${JSON.stringify(warnings)}`);
  assert.ok(warnings.length >= 2, 'T-18 s and T-6 s warnings');
  assert.match(warnings.at(-1) ?? '', /expires in less than 1 min .*open tunnels keep working.*`tsh login --proxy=jump\.centre\.test`/);
  assert.equal(route.status().certificate?.expired, true);
  assert.equal(route.state, 'up', 'OpenSSH keeps the session after expiry (notes §1.6)');
  assert.ok(await route.addForward('127.0.0.1', lab.wsPort), 'and new channels still work');

  const before = connections();
  process.kill(route.status().pid ?? 0, 'SIGKILL');
  await waitForRouteState(route, 'needs-login', 10_000);
  assert.match(route.status().lastError?.message ?? '', /expired at/);
  assert.equal(spawns(), 1, 'no second ssh with an expired certificate');
  assert.equal(connections(), before);
  await route.stop();
  await lab.issueCertificate('-1m:+30m');
});

test('certificate refused by the jump host (wrong principal): needs-login naming the hop, one attempt only; login() renews and reconnects', async () => {
  await lab.issueCertificate('-1m:+30m', { principal: 'nobody' });
  const before = connections();
  const [cmd, ...args] = lab.issueCommand('-1m:+30m');
  const loginCommand = [cmd, ...args].join(' '); // paths without spaces (temp dir)
  const { route, spawns } = makeRoute({ loginCommand });
  route.start();
  await waitForRouteState(route, 'needs-login', 15_000);
  const e = route.status().lastError;
  assert.equal(e?.kind, 'auth');
  assert.match(e?.message ?? '', new RegExp(`${lab.user}@127\\.0\\.0\\.1 \\(jump host\\) refused the login: Permission denied \\(publickey\\)`));
  assert.match(e?.message ?? '', /is valid until .* but was not accepted \(wrong principal/);
  assert.match(e?.stderrTail ?? '', /Permission denied/);
  assert.equal(e?.hop, `${lab.user}@127.0.0.1`);
  await sleep(3000);
  assert.equal(spawns(), 1, 'no blind retries');
  assert.equal(connections() - before, 1, 'one connection at the jump host');
  assert.match(lab.logText('jump'), /Certificate invalid: name is not a listed principal|not a listed principal/);

  const code = await route.login({ stdio: 'ignore' });
  assert.equal(code, 0);
  await waitForRouteState(route, 'up', 15_000);
  assert.equal(spawns(), 2);
  await route.stop();
});

test('busy fixed SOCKS port: failed with a clear message and no ssh; with socksPortFallback another port is used', async () => {
  const port = await freePort({ min: 45000, max: 45999, host: '127.0.0.1' });
  const holder: Server = createServer();
  await new Promise<void>((r) => holder.listen(port, '127.0.0.1', () => r()));
  try {
    const fixed = makeRoute({ socksPort: port });
    fixed.route.start();
    await waitForRouteState(fixed.route, 'failed', 10_000);
    const e = fixed.route.status().lastError;
    assert.equal(e?.kind, 'port-in-use');
    assert.match(e?.message ?? '', new RegExp(`SOCKS port 127\\.0\\.0\\.1:${port} \\(socks_port of route 'lab'\\) is already in use by another program`));
    assert.equal(fixed.spawns(), 0);
    await fixed.route.stop();

    const fallback = makeRoute({ socksPort: port }, { socksPortFallback: true });
    fallback.route.start();
    await waitForRouteState(fallback.route, 'up', 15_000);
    const used = fallback.route.status().socksPort;
    assert.ok(used !== undefined && used !== port);
    await fallback.route.stop();
  } finally {
    holder.close();
  }
  // and a free fixed port is used as it is
  const free = makeRoute({ socksPort: port });
  free.route.start();
  await waitForRouteState(free.route, 'up', 15_000);
  assert.equal(free.route.status().socksPort, port);
  await free.route.stop();
});

test('wrong host key of the workstation: failed, refusal with the fingerprint and the known_hosts hint; no retries; reconnect() after fixing', async () => {
  await lab.writeKnownHosts({ wrongKeyFor: 'ws' });
  const { fingerprint } = await lab.hostKey('ws');
  const { route, spawns } = makeRoute();
  route.start();
  await waitForRouteState(route, 'failed', 15_000);
  const e = route.status().lastError;
  assert.equal(e?.kind, 'hostkey');
  assert.equal(e?.fingerprint, fingerprint);
  assert.equal(e?.hop, `[127.0.0.1]:${lab.wsPort}`);
  assert.match(e?.message ?? '', /refusing to connect: the host key for \[127\.0\.0\.1\]:\d+ has CHANGED \(possible man-in-the-middle attack\)/);
  assert.ok(e?.message.includes(fingerprint), e?.message);
  assert.match(e?.message ?? '', /ssh-keygen -f ".*known_hosts" -R "\[127\.0\.0\.1\]:\d+"/);
  await sleep(2000);
  assert.equal(spawns(), 1);

  await lab.writeKnownHosts();
  route.reconnect();
  await waitForRouteState(route, 'up', 15_000);
  await route.stop();
});

test('wrong host key of the jump host, and an unknown host key: failed with the hop named', async () => {
  await lab.writeKnownHosts({ wrongKeyFor: 'jump' });
  const a = makeRoute();
  a.route.start();
  await waitForRouteState(a.route, 'failed', 15_000);
  assert.equal(a.route.status().lastError?.hop, `[127.0.0.1]:${lab.jumpPort}`);
  assert.equal(a.route.status().lastError?.fingerprint, (await lab.hostKey('jump')).fingerprint);
  await a.route.stop();

  await lab.writeKnownHosts({ omit: 'ws' });
  const b = makeRoute();
  b.route.start();
  await waitForRouteState(b.route, 'failed', 15_000);
  assert.equal(b.route.status().lastError?.kind, 'hostkey');
  assert.match(b.route.status().lastError?.message ?? '', /no host key is known for \[127\.0\.0\.1\]:\d+ .*known_hosts/);
  await b.route.stop();
  await lab.writeKnownHosts();
});

test('identity_file/certificate_file of the route reach the jump hop too (generated -F config that includes the user config)', async () => {
  const bare = join(lab.dir, 'client', 'ssh_config_no_identity');
  const text = (await readFile(lab.sshConfig, 'utf8'))
    .split('\n')
    .filter((l) => !/^\s*(IdentityFile|CertificateFile)\b/.test(l))
    .join('\n');
  await writeFile(bare, text, { mode: 0o600 });
  const without = makeRoute({ sshConfig: bare });
  without.route.start();
  await waitForRouteState(without.route, 'needs-login', 15_000); // no key at all: refused
  await without.route.stop();

  const { route } = makeRoute({ sshConfig: bare, identityFile: lab.identityFile, certificateFile: lab.certificateFile });
  route.start();
  await waitForRouteState(route, 'up', 15_000);
  assert.equal(route.status().certificate?.path, lab.certificateFile);
  assert.equal(route.status().certificate?.source, 'route');
  await route.stop();
});

test('readiness probe falls back to the workstation loopback when HostName only means something to a ProxyCommand', async () => {
  const config = join(lab.dir, 'client', 'ssh_config_proxycommand');
  const text = (await readFile(lab.sshConfig, 'utf8')).replace(
    /Host ws\n  HostName 127\.0\.0\.1\n  Port (\d+)\n  ProxyJump jump\n/,
    (_m, port: string) => `Host ws\n  HostName node7.teleport.invalid\n  Port ${port}\n  ProxyCommand ssh -F ${config} -W 127.0.0.1:%p jump\n  HostKeyAlias [127.0.0.1]:${port}\n`,
  );
  assert.match(text, /ProxyCommand/);
  await writeFile(config, text, { mode: 0o600 });
  const { route } = makeRoute({ sshConfig: config });
  route.start();
  await waitForRouteState(route, 'up', 20_000);
  await route.stop();
});

test('jump host down: network error, backoff 1 s then 2 s (±20 %), each attempt classified', async () => {
  const closed = await freePort({ min: 45000, max: 45999, host: '127.0.0.1' });
  const { route, spawns } = makeRoute({ jump: [`${lab.user}@127.0.0.1:${closed}`] });
  const delays: number[] = [];
  route.on('state', (s) => {
    if (s.state === 'backoff' && s.nextAttemptAt) delays.push(Date.parse(s.nextAttemptAt) - Date.now());
  });
  route.start();
  await waitForRouteState(route, 'backoff', 10_000);
  const e = route.status().lastError;
  assert.equal(e?.kind, 'network');
  assert.match(e?.message ?? '', new RegExp(`cannot connect: cannot connect to 127\\.0\\.0\\.1 port ${closed}: Connection refused`));
  while (delays.length < 2) await sleep(100);
  assert.ok((delays[0] ?? 0) > 700 && (delays[0] ?? 0) <= 1200, `first delay ${delays[0]}`);
  assert.ok((delays[1] ?? 0) > 1500 && (delays[1] ?? 0) <= 2400, `second delay ${delays[1]}`);
  assert.equal(route.status().reconnects, spawns() - 1);
  await assert.rejects(route.connector()({ host: 'localhost', port: 1 }, AbortSignal.timeout(500)));
  await route.stop();
});
