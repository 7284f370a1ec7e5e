/**
 * The parts of RouteSupervisor that depend on the platform, exercised on Linux:
 * - without multiplexing (what Windows' OpenSSH forces: no ControlMaster, notes §0.9): forwards are
 *   fixed `-L` options and adding/cancelling one restarts the master. Windows itself is NOT tested;
 * - the process-exit hook and signal handlers: a process that exits (or gets SIGTERM) without
 *   calling stop() leaves no master behind;
 * - certificates held only by an ssh-agent (`tsh login -k only`) are found with `ssh-add -L`.
 */
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { existsSync, readdirSync } from 'node:fs';
import { createServer } from 'node:net';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { EcflowClient } from '../src/client/ecflow-client.js';
import { readAgentCertificates } from '../src/transport/ssh-certificate.js';
import { RouteSupervisor } from '../src/transport/ssh-route.js';
import { type EcflowServer, startEcflowServer } from './helpers/ecflow-server.js';
import { guardPid, isAlive, runOk, unguardPid } from './helpers/run.js';
import { descendants, type SshLab, startSshLab, waitForRouteState } from './helpers/sshd.js';
import { makeTempDir } from './helpers/tmp.js';

let lab: SshLab;
let ecflow: EcflowServer;
before(async () => {
  [lab, ecflow] = await Promise.all([startSshLab({ validity: '-1m:+30m' }), startEcflowServer()]);
});
after(async () => {
  await Promise.all([lab?.stop(), ecflow?.stop()]);
});

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

test('multiplexing off (the Windows fallback): no control socket; forwards as fixed -L, a change restarts the master', async (t) => {
  const route = new RouteSupervisor({ name: 'nomux', destination: 'ws', sshConfig: lab.sshConfig }, { multiplexing: false, teleportHome: null });
  const argvs: (readonly string[])[] = [];
  route.on('spawn', (s) => argvs.push(s.argv));
  try {
    route.start();
    await waitForRouteState(route, 'up', 15_000);
    assert.equal(route.controlPath, undefined);
    assert.ok(argvs[0]?.includes('ControlPath=none') && !argvs[0]?.includes('ControlMaster=yes'));
    assert.equal(route.status().multiplexing, false);
    const socksPort = route.status().socksPort;
    await new EcflowClient({ host: 'localhost', port: ecflow.port, connector: route.connector() }).ping();

    const t0 = performance.now();
    const port = await route.addForward('localhost', ecflow.port);
    t.diagnostic(`addForward without multiplexing (master restart): ${Math.round(performance.now() - t0)} ms`);
    assert.equal(argvs.length, 2, 'the master was restarted');
    assert.ok(argvs[1]?.includes(`127.0.0.1:${port}:localhost:${ecflow.port}`), argvs[1]?.join(' '));
    assert.equal(route.status().socksPort, socksPort, 'the SOCKS port survives the restart');
    await new EcflowClient({ host: '127.0.0.1', port }).ping();
    assert.equal(await route.addForward('localhost', ecflow.port), port);
    assert.equal(argvs.length, 2, 'an existing forward does not restart');

    await route.cancelForward('localhost', ecflow.port);
    assert.equal(argvs.length, 3);
    assert.ok(!argvs[2]?.some((a) => a.includes(`:localhost:${ecflow.port}`)));
    await assert.rejects(new EcflowClient({ host: '127.0.0.1', port, timeouts: { connect: 2000 } }).ping(), { code: 'CONNECT' });
    await new EcflowClient({ host: 'localhost', port: ecflow.port, connector: route.connector() }).ping();
  } finally {
    await route.stop();
  }
});

/** A child Node process that brings a route up, prints the master's PID and control path, then `how`. */
async function childWithRoute(how: 'exit' | 'wait', runtimeDir?: string): Promise<{ pid: number; master: number; controlPath: string; child: ReturnType<typeof spawn> }> {
  const dir = await makeTempDir('route-child');
  const script = join(dir, 'child.mjs');
  const modulePath = join(process.cwd(), 'dist', 'src', 'transport', 'ssh-route.js');
  await writeFile(
    script,
    `import { RouteSupervisor } from ${JSON.stringify(modulePath)};
const route = new RouteSupervisor({ name: 'child', destination: 'ws', sshConfig: ${JSON.stringify(lab.sshConfig)} }, { teleportHome: null${runtimeDir === undefined ? '' : `, runtimeDir: ${JSON.stringify(runtimeDir)}`} });
route.on('state', (s) => {
  if (s.state !== 'up') return;
  process.stdout.write(JSON.stringify({ master: s.pid, controlPath: route.controlPath }) + '\\n');
  ${how === 'exit' ? "setTimeout(() => process.exit(3), 100);" : ''}
});
route.start();
setTimeout(() => process.exit(9), 30000);
`,
  );
  const child = spawn(process.execPath, [script], { stdio: ['ignore', 'pipe', 'inherit'] });
  guardPid(child.pid ?? 0);
  const line = await new Promise<string>((resolve, reject) => {
    let buf = '';
    child.stdout?.on('data', (b: Buffer) => {
      buf += b.toString();
      if (buf.includes('\n')) resolve(buf.split('\n')[0] ?? '');
    });
    child.once('exit', (code) => reject(new Error(`child exited early (${code})`)));
  });
  const { master, controlPath } = JSON.parse(line) as { master: number; controlPath: string };
  return { pid: child.pid ?? 0, master, controlPath, child };
}

test('process exit without stop(): the exit hook ends the master and removes its control socket', async () => {
  const { pid, master, controlPath, child } = await childWithRoute('exit');
  const code = await new Promise<number | null>((r) => child.once('exit', (c) => r(c)));
  unguardPid(pid);
  assert.equal(code, 3);
  const group = [master, ...descendants(master)];
  for (let i = 0; i < 50 && group.some((p) => isAlive(p)); i++) await sleep(100);
  assert.deepEqual(group.filter((p) => isAlive(p)), []);
  assert.equal(existsSync(controlPath), false);
});

test('SIGTERM to a process that has no handler of its own: the master goes too, and the process still ends by SIGTERM', async () => {
  const { pid, master, controlPath, child } = await childWithRoute('wait');
  const exited = new Promise<NodeJS.Signals | null>((r) => child.once('exit', (_c, s) => r(s)));
  process.kill(pid, 'SIGTERM');
  assert.equal(await exited, 'SIGTERM');
  unguardPid(pid);
  for (let i = 0; i < 50 && isAlive(master); i++) await sleep(100);
  assert.equal(isAlive(master), false);
  assert.equal(existsSync(controlPath), false);
});

test('a master orphaned by a SIGKILLed process is ended by the next supervisor in the same runtime directory', async () => {
  const runtimeDir = join(await makeTempDir('orphans'), 'rt');
  const { pid, master, controlPath, child } = await childWithRoute('wait', runtimeDir);
  const exited = new Promise<void>((r) => child.once('exit', () => r()));
  process.kill(pid, 'SIGKILL'); // no exit hook runs
  await exited;
  unguardPid(pid);
  await sleep(300);
  assert.equal(isAlive(master), true, 'the master survived its owner (own process group)');
  assert.equal(existsSync(controlPath), true);
  guardPid(master);
  const route = new RouteSupervisor({ name: 'next', destination: 'ws', sshConfig: lab.sshConfig }, { teleportHome: null, runtimeDir });
  try {
    route.start();
    await waitForRouteState(route, 'up', 15_000);
    for (let i = 0; i < 50 && isAlive(master); i++) await sleep(100);
    assert.equal(isAlive(master), false, 'the orphan was ended with -O exit');
    assert.equal(existsSync(controlPath), false);
    assert.deepEqual(readdirSync(runtimeDir).filter((n) => n.endsWith('.owner')).length, 1, 'only the new route\'s owner file');
  } finally {
    unguardPid(master);
    await route.stop();
  }
  assert.deepEqual(readdirSync(runtimeDir), [], 'stop() removes the route\'s files');
});

test('multiplexing off: a fixed forward whose local port was taken meanwhile moves to another port (ssh "Address already in use")', async () => {
  const route = new RouteSupervisor({ name: 'nomux2', destination: 'ws', sshConfig: lab.sshConfig }, { multiplexing: false, teleportHome: null });
  const moved: { from: number; to: number }[] = [];
  route.on('forward-moved', (m) => moved.push(m));
  const squatter = createServer();
  try {
    route.start();
    await waitForRouteState(route, 'up', 15_000);
    const port = await route.addForward('localhost', ecflow.port);
    const backoff = waitForRouteState(route, 'backoff', 5000);
    process.kill(route.status().pid ?? 0, 'SIGKILL');
    await backoff; // 1 s before the next attempt: take the forward's port now
    await new Promise<void>((r) => squatter.listen(port, '127.0.0.1', () => r()));
    await waitForRouteState(route, 'connecting', 5000);
    await waitForRouteState(route, 'up', 15_000);
    assert.equal(moved.length, 1);
    assert.equal(moved[0]?.from, port);
    const now = route.forwards()[0]?.localPort ?? 0;
    assert.equal(now, moved[0]?.to);
    assert.match(route.status().lastError?.message ?? '', new RegExp(`local port ${port} is already in use`));
    await new EcflowClient({ host: '127.0.0.1', port: now }).ping();
  } finally {
    squatter.close();
    await route.stop();
  }
});

test('a certificate held only by the agent (tsh login -k only) is found and read with ssh-add -L', async () => {
  const dir = await makeTempDir('agent');
  const sock = join(dir, 'agent.sock');
  const agent = spawn('ssh-agent', ['-D', '-a', sock], { stdio: 'ignore' });
  guardPid(agent.pid ?? 0);
  try {
    for (let i = 0; i < 50 && !existsSync(sock); i++) await sleep(50);
    const env = { ...process.env, SSH_AUTH_SOCK: sock };
    await runOk('ssh-add', [lab.identityFile], { env }); // adds the key and its -cert.pub
    const certs = await readAgentCertificates(sock);
    assert.equal(certs.length, 1);
    assert.equal(certs[0]?.source, 'agent');
    assert.match(certs[0]?.path ?? '', /^agent:/);
    assert.ok((certs[0]?.validTo?.getTime() ?? 0) > Date.now() + 20 * 60_000);
    assert.deepEqual(await readAgentCertificates(join(dir, 'no-agent.sock')), []);
  } finally {
    agent.kill('SIGKILL');
    unguardPid(agent.pid ?? 0);
  }
});
