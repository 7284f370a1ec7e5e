/**
 * RouteSupervisor against REAL OpenSSH on loopback (test/helpers/sshd.ts): a jump sshd and a
 * workstation sshd with ProxyJump between them, a short-lived user certificate, a REAL
 * ecflow_server reached through the route's SOCKS connector, recovery after SIGKILL of the master,
 * dead-link detection by the SOCKS health probe (SIGSTOPped jump-host session), forwards on demand,
 * and a clean stop.
 */
import assert from 'node:assert/strict';
import { existsSync, statSync } from 'node:fs';
import { dirname } from 'node:path';
import { after, before, test } from 'node:test';
import { EcflowClient } from '../src/client/ecflow-client.js';
import { probeSshBanner } from '../src/transport/ssh-probe.js';
import { trackedProcesses } from '../src/transport/ssh-process.js';
import { RouteSupervisor, type RouteSupervisorOptions } from '../src/transport/ssh-route.js';
import { type EcflowServer, startEcflowServer } from './helpers/ecflow-server.js';
import { freePort } from './helpers/ports.js';
import { isAlive } from './helpers/run.js';
import { descendants, type SshLab, startSshLab, waitForRouteState } from './helpers/sshd.js';

let lab: SshLab;
let ecflow: EcflowServer;
before(async () => {
  [lab, ecflow] = await Promise.all([startSshLab({ validity: '-1m:+30m' }), startEcflowServer()]);
});
after(async () => {
  await Promise.all([lab?.stop(), ecflow?.stop()]);
});

const routes: RouteSupervisor[] = [];
after(async () => {
  for (const r of routes) await r.stop();
});

function makeRoute(options: RouteSupervisorOptions = {}): RouteSupervisor {
  const route = new RouteSupervisor(
    { name: 'lab', destination: 'ws', sshConfig: lab.sshConfig, loginCommand: 'tsh login --proxy=jump' },
    { teleportHome: null, ...options },
  );
  routes.push(route);
  return route;
}

function ecflowClient(route: RouteSupervisor): EcflowClient {
  // 'localhost' is resolved by the workstation (remote DNS through SOCKS), not here.
  return new EcflowClient({ host: 'localhost', port: ecflow.port, connector: route.connector() });
}

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

test('up through a ProxyJump chain with a short-lived user certificate', async (t) => {
  const route = makeRoute();
  const spawns: (readonly string[])[] = [];
  route.on('spawn', (s) => spawns.push(s.argv));
  const t0 = performance.now();
  route.start();
  await waitForRouteState(route, 'up', 20_000);
  const ms = Math.round(performance.now() - t0);
  t.diagnostic(`time to up: ${ms} ms`);

  const s = route.status();
  assert.equal(s.state, 'up');
  assert.equal(s.reconnects, 0);
  assert.equal(s.lastError, undefined);
  assert.ok(s.pid !== undefined && isAlive(s.pid));
  assert.ok(s.socksPort !== undefined && s.socksPort > 0);
  assert.equal(s.multiplexing, true);
  assert.equal(s.certificate?.path, lab.certificateFile);
  assert.equal(s.certificate?.expired, false);
  assert.ok(s.certificate?.validTo !== null && Date.parse(s.certificate?.validTo ?? '') > Date.now() + 25 * 60_000);
  assert.match(s.certificate?.warning ?? '', /expires in 30 min .*`tsh login --proxy=jump`/);

  // the master's command line (notes §5.1): never -f, BatchMode, keepalives, ExitOnForwardFailure
  const argv = spawns[0] ?? [];
  for (const flag of ['-N', '-C', 'ControlMaster=yes', 'ControlPersist=no', 'ExitOnForwardFailure=yes', 'ServerAliveInterval=15', 'ServerAliveCountMax=3', 'BatchMode=yes', 'ConnectTimeout=15']) {
    assert.ok(argv.includes(flag), `${flag} in ${argv.join(' ')}`);
  }
  assert.ok(!argv.includes('-f'));
  assert.equal(argv.at(-1), 'ws');
  assert.ok(argv.includes(`127.0.0.1:${s.socksPort}`));

  // the control socket: short path in a private directory
  const cp = route.controlPath ?? '';
  assert.ok(existsSync(cp) && statSync(cp).isSocket(), cp);
  assert.ok(Buffer.byteLength(cp) + 17 <= 103, `control path ${cp} fits macOS' sun_path`);
  assert.equal(statSync(dirname(cp)).mode & 0o777, 0o700);

  // both hops saw a certificate login
  assert.ok(lab.countLog('jump', /Accepted publickey for .* ED25519-CERT/) >= 1, lab.logText('jump'));
  assert.ok(lab.countLog('ws', /Accepted publickey for .* ED25519-CERT/) >= 1, lab.logText('ws'));

  // the SOCKS port reaches the workstation's sshd
  const probe = await probeSshBanner(s.socksPort ?? 0, { host: '127.0.0.1', port: lab.wsPort }, 5000);
  assert.ok(probe.ok && probe.banner.startsWith('SSH-2.0-OpenSSH'), JSON.stringify(probe));
  await route.stop();
});

test('a real ecflow_server through the route connector (remote DNS), then SIGKILL of the master: recovered within 15 s', async (t) => {
  const route = makeRoute();
  route.start();
  await waitForRouteState(route, 'up', 20_000);
  const client = ecflowClient(route);
  await client.ping();
  assert.equal(await client.serverVersion(), '5.9.2');

  const pid = route.status().pid ?? 0;
  const socksPort = route.status().socksPort;
  const t0 = performance.now();
  process.kill(pid, 'SIGKILL');
  await waitForRouteState(route, ['backoff', 'connecting'], 5000);
  await waitForRouteState(route, 'up', 15_000);
  const recovered = Math.round(performance.now() - t0);
  t.diagnostic(`recovery after SIGKILL of the master: ${recovered} ms`);
  assert.ok(recovered < 15_000);
  const s = route.status();
  assert.notEqual(s.pid, pid);
  assert.equal(s.reconnects, 1);
  assert.equal(s.socksPort, socksPort, 'the SOCKS port is kept across reconnects');
  await client.ping(); // the next request works
  assert.equal(await client.serverVersion(), '5.9.2');
  await route.stop();
});

test('backoff: 1 s, then 2 s after a quick second loss; back to 1 s after upResetMs up', async () => {
  const route = makeRoute({ upResetMs: 3000 });
  const delays: number[] = [];
  route.on('state', (s) => {
    if (s.state === 'backoff' && s.nextAttemptAt) delays.push(Date.parse(s.nextAttemptAt) - Date.now());
  });
  route.start();
  await waitForRouteState(route, 'up', 20_000);
  const kill = async (): Promise<void> => {
    process.kill(route.status().pid ?? 0, 'SIGKILL');
    await waitForRouteState(route, 'backoff', 5000);
    await waitForRouteState(route, 'up', 15_000);
  };
  await kill();
  await kill(); // up for less than upResetMs: the delay grows
  await sleep(3500); // up longer than upResetMs: reset
  await kill();
  assert.equal(delays.length, 3);
  const [a = 0, b = 0, c = 0] = delays;
  assert.ok(a > 700 && a <= 1200, `first ${a}`);
  assert.ok(b > 1500 && b <= 2400, `second ${b}`);
  assert.ok(c > 700 && c <= 1200, `after reset ${c}`);
  assert.equal(route.status().lastError?.kind, 'unknown');
  assert.match(route.status().lastError?.message ?? '', /route lost: ssh was killed by SIGKILL/);
  await route.stop();
});

test('the connector waits while connecting, names the remote reason when the workstation cannot connect, fails fast once stopped', async () => {
  const route = makeRoute();
  route.start(); // not up yet: the request waits for it
  const client = ecflowClient(route);
  await client.ping();
  await assert.rejects(
    new EcflowClient({ host: 'nosuchhost.invalid', port: 3141, connector: route.connector() }).ping(),
    /cannot reach nosuchhost\.invalid:3141 through route 'lab': the workstation could not connect: connect failed: Name or service not known/,
  );
  const closedPort = await freePort();
  await assert.rejects(
    new EcflowClient({ host: 'localhost', port: closedPort, connector: route.connector() }).ping(),
    /the workstation could not connect: connect failed: Connection refused/,
  );
  await route.stop();
  await assert.rejects(client.ping(), (e: unknown) => {
    assert.equal((e as { code?: string }).code, 'CONNECT');
    assert.match((e as Error).message, /route 'lab' is not started/);
    return true;
  });
});

test('health probe detects a SIGSTOPped jump-host session and reconnects (ServerAlive would take 45 s)', async (t) => {
  const route = makeRoute({ healthIntervalMs: 2000, probeTimeoutMs: 2000, probeFailures: 2 });
  route.start();
  await waitForRouteState(route, 'up', 20_000);
  await ecflowClient(route).ping();
  const oldPid = route.status().pid;
  const frozen = lab.sessionPids('jump');
  assert.ok(frozen.length > 0, 'the jump host has a session process for our master');
  const t0 = performance.now();
  for (const p of frozen) process.kill(p, 'SIGSTOP');
  try {
    await waitForRouteState(route, ['backoff', 'connecting'], 20_000);
    const detected = Math.round(performance.now() - t0);
    await waitForRouteState(route, 'up', 20_000);
    const back = Math.round(performance.now() - t0);
    t.diagnostic(`dead link detected after ${detected} ms (interval 2 s, timeout 2 s, 2 probes); up again after ${back} ms`);
    assert.ok(detected < 12_000, `detected after ${detected} ms`);
    assert.equal(route.status().lastError?.kind, 'network');
    assert.match(route.status().lastError?.message ?? '', /lost its data path \(health probe through SOCKS/);
    assert.notEqual(route.status().pid, oldPid);
    assert.match(route.log().join('\n'), /health probe failed/);
    await ecflowClient(route).ping();
  } finally {
    for (const p of frozen) {
      try {
        process.kill(p, 'SIGCONT');
      } catch {
        // gone
      }
    }
  }
  await route.stop();
  for (let i = 0; i < 50 && frozen.some((p) => isAlive(p)); i++) await sleep(100);
  t.diagnostic(`frozen sessions still alive after SIGCONT: ${frozen.filter((p) => isAlive(p)).join(',') || 'none'}`);
});

test('health probe with the default settings (10 s period, 5 s timeout, 2 probes)', async (t) => {
  const route = makeRoute();
  t.after(() => route.stop());
  route.start();
  await waitForRouteState(route, 'up', 20_000);
  const frozen = lab.sessionPids('jump');
  const t0 = performance.now();
  for (const p of frozen) process.kill(p, 'SIGSTOP');
  try {
    await waitForRouteState(route, ['backoff', 'connecting'], 30_000);
    const detected = Math.round(performance.now() - t0);
    await waitForRouteState(route, 'up', 20_000);
    t.diagnostic(`defaults: dead link detected after ${detected} ms; up again after ${Math.round(performance.now() - t0)} ms`);
    assert.ok(detected <= 21_000, `detected after ${detected} ms`);
    assert.match(route.status().lastError?.message ?? '', /lost its data path/);
  } finally {
    for (const p of frozen) {
      try {
        process.kill(p, 'SIGCONT');
      } catch {
        // gone
      }
    }
  }
  await route.stop();
});

test('forwards: added, working, kept across a reconnect (same local port), cancelled (checked by connecting)', async () => {
  const route = makeRoute();
  route.start();
  await waitForRouteState(route, 'up', 20_000);
  const port = await route.addForward('localhost', ecflow.port);
  assert.equal(await route.addForward('localhost', ecflow.port), port, 'same target, same port');
  const viaForward = new EcflowClient({ host: '127.0.0.1', port });
  await viaForward.ping();
  const sshPort = await route.addForward('127.0.0.1', lab.wsPort);
  assert.notEqual(sshPort, port);
  assert.deepEqual(
    route.status().forwards.map((f) => f.remotePort).sort(),
    [ecflow.port, lab.wsPort].sort(),
  );

  process.kill(route.status().pid ?? 0, 'SIGKILL');
  await waitForRouteState(route, 'connecting', 5000);
  await waitForRouteState(route, 'up', 15_000);
  await viaForward.ping(); // re-applied on the new master, same local port

  await route.cancelForward('localhost', ecflow.port);
  await assert.rejects(new EcflowClient({ host: '127.0.0.1', port, timeouts: { connect: 2000 } }).ping(), { code: 'CONNECT' });
  assert.deepEqual(route.forwards().map((f) => f.remotePort), [lab.wsPort]);
  await route.cancelForward('localhost', ecflow.port); // absent: no-op
  await route.stop();
});

test('stop() leaves no process, no control socket and no tracked PID behind', async () => {
  const before = new Set([...lab.sessionPids('ws'), ...lab.sessionPids('jump')]);
  const route = makeRoute();
  route.start();
  await waitForRouteState(route, 'up', 20_000);
  await route.addForward('localhost', ecflow.port);
  const pid = route.status().pid ?? 0;
  const children = descendants(pid);
  assert.ok(children.length >= 1, 'the ProxyJump child (ssh -W) runs under the master');
  const cp = route.controlPath ?? '';
  assert.ok(existsSync(cp));
  await route.stop();
  assert.equal(route.state, 'idle');
  assert.equal(route.status().pid, undefined);
  for (const p of [pid, ...children]) assert.equal(isAlive(p), false, `process ${p} still alive`);
  assert.equal(existsSync(cp), false);
  assert.deepEqual(trackedProcesses(), []);
  // the servers' per-connection processes end too (nothing of ours stays connected)
  const ours = (): number[] => [...lab.sessionPids('ws'), ...lab.sessionPids('jump')].filter((p) => !before.has(p));
  for (let i = 0; i < 50 && ours().length > 0; i++) await sleep(100);
  assert.deepEqual(ours(), []);
});
