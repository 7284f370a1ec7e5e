/**
 * Proves the "routes to the centre" lab (test/helpers/lab) with plain tools only — ssh, getent,
 * ecflow_client, a tiny TCP/SOCKS probe — never with ecflow-remote itself:
 * home reaches only the jump host; centre names resolve only inside the centre; a certificate gets
 * through jump to the workstation; SOCKS with remote DNS reaches both log servers on the same port;
 * -L forwards reach both ecflow servers with their white list / custom password; an expired
 * certificate and a wrong host key are refused; the failure helpers (link down, killed sshd
 * connections, busy port) do what they say; and stop() / a crashing test leave nothing behind.
 *
 * Skips (saying why) only where the lab cannot be built: not root, namespaces refused, programs missing.
 */
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { existsSync, readFileSync, readlinkSync } from 'node:fs';
import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { canBuildLab, type CentreLab, startCentreLab } from './helpers/lab/centre-lab.js';
import { listNamespaces, sweepStaleLabs } from './helpers/lab/netns.js';
import { namespaceInode } from './helpers/lab/procs.js';
import { isAlive, type RunResult } from './helpers/run.js';
import { makeTempDir } from './helpers/tmp.js';

const SSH_OPTS = ['-o', 'ExitOnForwardFailure=yes', '-o', 'ControlPath=none'];

function out(r: RunResult): string {
  return `code ${r.code}\nstdout: ${r.stdout}\nstderr: ${r.stderr}`;
}

function labGone(id: string, pids: readonly number[]): void {
  const left = listNamespaces().filter((n) => n.includes(id));
  assert.deepEqual(left, [], `namespaces left: ${left.join(' ')}`);
  for (const n of ['home', 'centre', 'machine1', 'logserver2']) {
    assert.equal(existsSync(`/etc/netns/rlab-${id}-${n}`), false, `/etc/netns/rlab-${id}-${n} left`);
  }
  const alive = pids.filter(isAlive);
  assert.deepEqual(alive, [], `processes still running: ${alive.join(' ')}`);
}

function labPids(lab: CentreLab): number[] {
  return [
    lab.sshd.jump.pid,
    lab.sshd.workstation.pid,
    lab.servers.a.pid,
    lab.servers.b.pid,
    lab.logServers.logserver1.pid,
    lab.logServers.logserver2.pid,
  ];
}

test('centre lab: built from namespaces, proven with plain tools', async (t) => {
  const cap = await canBuildLab();
  if (!cap.ok) {
    t.skip(cap.reason);
    return;
  }
  const t0 = performance.now();
  const lab = await startCentreLab();
  const startMs = Math.round(performance.now() - t0);
  let stopped = false;
  t.after(async () => {
    if (!stopped) await lab.stop();
  });
  t.diagnostic(`lab ${lab.id} started in ${startMs} ms ${JSON.stringify(lab.timings)}; firewall ${lab.firewall}`);
  assert.ok(startMs < 5000, `lab start took ${startMs} ms (target < 5 s)`);

  // ssh processes in home are started through the lab, so stop() kills them in any case.
  const home = (args: string[]) => lab.homeExec(['ssh', '-F', lab.user.sshConfig, ...args], undefined, { timeoutMs: 20_000 });

  await t.test('the PIDs held are the real programs, in their namespaces, with their host names', async () => {
    const comm = (pid: number) => execComm(pid);
    const netOf = (pid: number) => readlinkSync(`/proc/${pid}/ns/net`);
    assert.equal(netOf(lab.servers.a.pid), `net:[${namespaceInode(lab.ns.machine1)}]`);
    assert.equal(netOf(lab.logServers.logserver2.pid), `net:[${namespaceInode(lab.ns.logserver2)}]`);
    assert.equal(netOf(lab.sshd.jump.pid), `net:[${namespaceInode(lab.ns.centre)}]`);
    assert.equal(comm(lab.sshd.jump.pid), 'sshd');
    assert.equal(comm(lab.servers.a.pid), 'ecflow_server');
    assert.equal(comm(lab.logServers.logserver1.pid), 'ecflow_logsvr');
    for (const [pid, name] of [[lab.servers.a.pid, 'machine1'], [lab.sshd.workstation.pid, 'workstation']] as const) {
      const r = await lab.centreExec('workstation', ['nsenter', '--target', String(pid), '--uts', 'hostname']);
      assert.equal(r.stdout.trim(), name, out(r));
    }
    const r = await lab.centreExec('machine2', ['hostname']);
    assert.equal(r.stdout.trim(), 'machine2', out(r));
  });

  await t.test('from home the jump banner is reachable, by name', async () => {
    const r = await lab.homeTcp('jump.centre.test', 22, { first: true });
    assert.ok(r.ok, JSON.stringify(r));
    assert.match(r.data, /^SSH-2\.0-OpenSSH/);
  });

  await t.test('centre names resolve inside the centre only', async () => {
    for (const name of ['machine1', 'machine2', 'logserver1', 'logserver2', 'workstation']) {
      const r = await lab.homeExec(['getent', 'hosts', name]);
      assert.equal(r.code, 2, `home resolved ${name}: ${out(r)}`);
      assert.ok(r.ms < 1000, `getent ${name} took ${r.ms} ms`);
    }
    const jump = await lab.homeExec(['getent', 'hosts', 'jump.centre.test']);
    assert.match(jump.stdout, /^10\.231\.0\.1\s+jump\.centre\.test/, out(jump));
    const inside = await lab.centreExec('workstation', ['getent', 'hosts', 'machine1']);
    assert.match(inside.stdout, /^10\.232\.0\.11\s+machine1/, out(inside));
  });

  await t.test('a direct connection from home to a centre host fails quickly', async () => {
    const r = await lab.homeTcp(lab.addresses.machine1, 4141, { timeoutMs: 1000 });
    assert.equal(r.ok, false);
    assert.equal(r.error, 'ENETUNREACH', JSON.stringify(r));
    assert.ok(r.ms < 1000, `${r.ms} ms`);
  });

  await t.test('the centre firewall drops everything from home but the jump sshd', async (st) => {
    if (!lab.firewall) {
      st.skip('no nft here (Debian package nftables): the lab runs without its firewall');
      return;
    }
    const other = await lab.homeTcp(lab.addresses.jump, 4141, { timeoutMs: 700 });
    assert.equal(other.error, 'ETIMEDOUT', `jump address, port 4141: ${JSON.stringify(other)}`);
    // Even with a route into the centre, home cannot reach the workstation's sshd directly.
    const add = await lab.homeExec(['ip', 'route', 'add', '10.232.0.0/16', 'via', lab.addresses.jump]);
    assert.equal(add.code, 0, out(add));
    try {
      const ws = await lab.homeTcp(lab.addresses.workstation, 22, { timeoutMs: 700, first: true });
      assert.equal(ws.error, 'ETIMEDOUT', `workstation:22 via a route: ${JSON.stringify(ws)}`);
    } finally {
      await lab.homeExec(['ip', 'route', 'del', '10.232.0.0/16']);
    }
  });

  await t.test('ssh -D to ws comes up with the certificate; both log servers answer by name through it', async () => {
    const socksPort = 1080;
    const master = lab.homeSpawn(['ssh', '-F', lab.user.sshConfig, '-N', ...SSH_OPTS, '-D', `127.0.0.1:${socksPort}`, 'ws']);
    try {
      await lab.waitHomePort(socksPort);
      for (const host of ['logserver1', 'logserver2'] as const) {
        const v = await lab.homeSocks(socksPort, host, 9316, { send: 'version\n' });
        assert.deepEqual([v.ok, v.data], [true, '2'], `${host}: ${JSON.stringify(v)}`);
      }
      // Each log server serves its own server's output only (LOGPATH = that ECF_HOME).
      const a = lab.servers.a.outputPath('f/hello');
      const viaOne = await lab.homeSocks(socksPort, 'logserver1', 9316, { send: `get ${a}\n` });
      assert.match(viaOne.data, /hello from \/lab_a\/f\/hello on machine1, server A/, JSON.stringify(viaOne));
      const viaTwo = await lab.homeSocks(socksPort, 'logserver2', 9316, { send: `get ${a}\n` });
      assert.deepEqual([viaTwo.ok, viaTwo.data], [true, ''], JSON.stringify(viaTwo));
      // An unknown name: OpenSSH closes the SOCKS connection without a reply (notes §1.4).
      const nx = await lab.homeSocks(socksPort, 'nosuchhost', 9316, { send: 'version\n' });
      assert.deepEqual([nx.ok, nx.stage], [false, 'socks-connect'], JSON.stringify(nx));
    } finally {
      await master.kill();
    }
    assert.match(await readLog(lab.sshd.jump.log), /Accepted publickey for ecuser .* ED25519-CERT/);
  });

  await t.test('ecflow_client through -L forwards: white list of A, custom user + password of B', async () => {
    const [pA, pB] = [14141, 14142];
    const fwd = lab.homeSpawn([
      'ssh', '-F', lab.user.sshConfig, '-N', ...SSH_OPTS,
      '-L', `127.0.0.1:${pA}:machine1:4141`, '-L', `127.0.0.1:${pB}:machine2:4142`, 'ws',
    ]);
    try {
      await lab.waitHomePort(pA);
      await lab.waitHomePort(pB);
      const ping = (port: number, env: Record<string, string> = {}, asUser?: string) =>
        lab.homeExec(['ecflow_client', '--host', '127.0.0.1', '--port', String(port), '--ping'], env, asUser ? { asUser } : {});

      const rootA = await ping(pA);
      assert.notEqual(rootA.code, 0, out(rootA));
      assert.match(rootA.stdout + rootA.stderr, /User 'root' is not allowed any access/);
      const userA = await ping(pA, {}, lab.centreUser);
      assert.equal(userA.code, 0, out(userA));
      assert.match(userA.stdout, /ping server\(127\.0\.0\.1:14141\) succeeded/);

      const b = lab.servers.b;
      const good = await lab.writeFile('custom_passwd', `4.5.0\n${b.clientPasswdLine('127.0.0.1', pB)}`);
      const bad = await lab.writeFile('custom_passwd.bad', `4.5.0\n${lab.centreUser} 127.0.0.1 ${pB} wrong\n`);
      const userB = await ping(pB, { ECF_USER: lab.centreUser, ECF_CUSTOM_PASSWD: good });
      assert.equal(userB.code, 0, out(userB));
      const wrongB = await ping(pB, { ECF_USER: lab.centreUser, ECF_CUSTOM_PASSWD: bad });
      assert.notEqual(wrongB.code, 0, out(wrongB));
      assert.match(wrongB.stdout + wrongB.stderr, /authentication failed|not allowed/);
      const rootB = await ping(pB);
      assert.match(rootB.stdout + rootB.stderr, /User 'root' is not allowed any access/);

      const getState = ['ecflow_client', '--host', '127.0.0.1', '--port', String(pA), '--get_state=/lab_a'];
      const state = await lab.homeExec(getState, {}, { asUser: lab.centreUser });
      assert.match(state.stdout, /task hello .*state:complete/, out(state));
      assert.match(state.stdout, /task ticker .*state:active/);
      assert.match(state.stdout, /task fails .*state:aborted/);
      assert.match(state.stdout, /edit ECF_LOGHOST 'logserver1'/);
    } finally {
      await fwd.kill();
    }
  });

  await t.test('an expired certificate is refused by the jump host; a fresh one works again', async () => {
    const expired = await lab.issueCertificate({ validFor: '-1m' });
    const r = await home(['ws', 'true']);
    assert.equal(r.code, 255, out(r));
    assert.match(r.stderr, /ecuser@jump\.centre\.test: Permission denied \(publickey\)/);
    assert.match(await readLog(lab.sshd.jump.log), new RegExp(`Certificate invalid: expired`));
    assert.match(expired.validText, /^from .* to /);

    await lab.issueCertificate({ validFor: '+5m' });
    const again = await home(['ws', 'echo "$(hostname) $(id -un)"']);
    assert.equal(again.code, 0, out(again));
    assert.equal(again.stdout.trim(), 'workstation ecuser');
  });

  await t.test('a wrong host key is refused (StrictHostKeyChecking yes)', async () => {
    await lab.wrongHostKey('ws');
    try {
      const r = await home(['ws', 'true']);
      assert.equal(r.code, 255, out(r));
      assert.match(r.stderr, /REMOTE HOST IDENTIFICATION HAS CHANGED/);
    } finally {
      await lab.restoreHostKeys();
    }
    const ok = await home(['ws', 'true']);
    assert.equal(ok.code, 0, out(ok));
  });

  await t.test('failure helpers: killed jump connections, link down/up, busy port', async () => {
    const master = lab.homeSpawn(['ssh', '-F', lab.user.sshConfig, '-N', ...SSH_OPTS, '-D', '127.0.0.1:1081', 'ws']);
    await lab.waitHomePort(1081);
    const killed = lab.killJumpConnections();
    assert.ok(killed.length > 0, 'no per-connection sshd processes found');
    const end = await Promise.race([master.exited, sleepMs(5000).then(() => 'still running' as const)]);
    assert.notEqual(end, 'still running', 'the ssh master survived the killed jump connection');
    assert.ok(isAlive(lab.sshd.jump.pid), 'the jump sshd listener itself must stay');

    await lab.linkDown();
    const down = await lab.homeTcp('jump.centre.test', 22, { timeoutMs: 1000, first: true });
    assert.equal(down.ok, false, JSON.stringify(down));
    await lab.linkUp();
    const up = await lab.homeTcp('jump.centre.test', 22, { timeoutMs: 3000, first: true });
    assert.ok(up.ok, JSON.stringify(up));

    const busy = await lab.busyHomePort();
    try {
      const r = await home(['-N', ...SSH_OPTS, '-L', `127.0.0.1:${busy.port}:machine1:4141`, 'ws']);
      assert.equal(r.code, 255, out(r));
      assert.match(r.stderr, /Address already in use/);
    } finally {
      await busy.release();
    }
  });

  const pids = labPids(lab);
  const t1 = performance.now();
  await lab.stop();
  stopped = true;
  const stopMs = Math.round(performance.now() - t1);
  t.diagnostic(`lab stopped in ${stopMs} ms`);
  labGone(lab.id, pids);
  assert.equal(existsSync(lab.dir), false, 'lab dir left');
});

test('centre lab: a crashing or SIGKILLed test process leaves nothing behind', async (t) => {
  const cap = await canBuildLab();
  if (!cap.ok) {
    t.skip(cap.reason);
    return;
  }
  const dir = await makeTempDir('lab-crash');
  const script = join(dir, 'crash.mjs');
  const labModule = fileURLToPath(new URL('./helpers/lab/centre-lab.js', import.meta.url));
  await writeFile(
    script,
    `import { startCentreLab } from ${JSON.stringify(labModule)};
const lab = await startCentreLab({ ecflow: process.argv[2] === 'full' });
const pids = [lab.sshd.jump.pid, lab.sshd.workstation.pid];
if (process.argv[2] === 'full') pids.push(lab.servers.a.pid, lab.servers.b.pid, lab.logServers.logserver1.pid);
console.log(JSON.stringify({ id: lab.id, dir: lab.dir, pids }));
if (process.argv[3] === 'throw') throw new Error('test failure');
setInterval(() => {}, 1000);
`,
  );
  const runChild = (mode: string, end: string) =>
    new Promise<{ id: string; dir: string; pids: number[]; code: number | null }>((resolve, reject) => {
      const child = spawn(process.execPath, [script, mode, end], { stdio: ['ignore', 'pipe', 'pipe'] });
      let text = '';
      let info: { id: string; dir: string; pids: number[] } | undefined;
      child.stdout.on('data', (b: Buffer) => {
        text += b.toString();
        const line = text.split('\n').find((l) => l.startsWith('{'));
        if (line && !info) {
          info = JSON.parse(line) as { id: string; dir: string; pids: number[] };
          if (end === 'kill') child.kill('SIGKILL');
        }
      });
      child.stderr.on('data', (b: Buffer) => (text += b.toString()));
      child.once('close', (code) => (info ? resolve({ ...info, code }) : reject(new Error(`child: ${text}`))));
    });

  const thrown = await runChild('full', 'throw');
  assert.notEqual(thrown.code, 0);
  labGone(thrown.id, thrown.pids);
  assert.equal(existsSync(thrown.dir), false, `${thrown.dir} left`);

  const killed = await runChild('ssh', 'kill');
  await sleepMs(100); // pdeathsig kills the daemons right after their parent died
  // A SIGKILLed owner cannot clean up; the next lab start sweeps it (here, or in a parallel test process).
  const leftBehind = listNamespaces().some((n) => n.includes(killed.id));
  const swept = sweepStaleLabs();
  if (leftBehind) {
    const gone = swept.includes(killed.id) || !listNamespaces().some((n) => n.includes(killed.id));
    assert.ok(gone, `swept: ${swept.join(' ')}`);
  }
  labGone(killed.id, killed.pids);
  assert.equal(existsSync(killed.dir), false, `${killed.dir} left`);
});

const sleepMs = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

const readLog = (path: string): Promise<string> => readFile(path, 'utf8');

function execComm(pid: number): string {
  try {
    return readFileSync(`/proc/${pid}/comm`, 'utf8').trim();
  } catch {
    return '(gone)';
  }
}
