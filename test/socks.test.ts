/**
 * socksConnector through a REAL OpenSSH `ssh -D` (connectivity-notes.md §1.0, §1.4): an
 * unprivileged-style sshd on 127.0.0.1 (generated host key, an authorized key for the current
 * user, ports 43000-43999) and `ssh -N -D 127.0.0.1:<p>` to it, then:
 * - remote DNS: when possible the sshd runs in its own mount namespace with its own /etc/hosts,
 *   so `machine1.centre.test`, `logserver1..3.centre.test` resolve only on the "centre" side and
 *   are reached by name; otherwise `localhost` is used and the sshd log shows the name it got;
 * - a real ecflow_server (plain and TLS) through the connector with EcflowClient;
 * - failures: unknown host, closed port (OpenSSH closes without a SOCKS reply), SOCKS port
 *   closed / route down, abort and timeout of a request in flight.
 * Every process started here is stopped by PID.
 */
import assert from 'node:assert/strict';
import { type ChildProcess, spawn } from 'node:child_process';
import { once } from 'node:events';
import { readFileSync } from 'node:fs';
import { readFile, writeFile } from 'node:fs/promises';
import { createServer, type AddressInfo, type Server, type Socket } from 'node:net';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { EcflowClient } from '../src/client/ecflow-client.js';
import { EcflowCancelledError, EcflowError } from '../src/errors.js';
import { REMOTE_CLOSED_REASON, socksConnector } from '../src/transport/socks.js';
import { type EcflowServer, startEcflowServer } from './helpers/ecflow-server.js';
import { waitForListen } from './helpers/listen.js';
import { currentUser } from './helpers/os-user.js';
import { freePort } from './helpers/ports.js';
import { guardPid, isAlive, runCommand, runOk, setprivPrefix, unguardPid } from './helpers/run.js';
import { makeTempDir, removeTempDir } from './helpers/tmp.js';

const LOGSERVERS = ['logserver1', 'logserver2', 'logserver3'] as const;
const LOG_ADDRESSES = ['127.0.1.21', '127.0.1.22', '127.0.1.23'] as const;

let dir: string;
let sshd: ChildProcess | undefined;
let ssh: ChildProcess | undefined;
let sshdPort: number;
let socksPort: number;
let sshdLog: string;
let sshLog: string;
/** True when the sshd has its own /etc/hosts (centre-only names). */
let centreNames = false;
let plain: EcflowServer;
let tls: EcflowServer;
const servers: Server[] = [];
const serverSockets = new Set<Socket>();
let echoPort: number;
let logPort: number;
let silentPort: number;

function track(server: Server): Server {
  servers.push(server);
  server.on('connection', (s: Socket) => {
    serverSockets.add(s);
    s.on('close', () => serverSockets.delete(s));
    s.on('error', () => {});
  });
  return server;
}

async function listen(server: Server, host: string, port = 0): Promise<number> {
  server.listen(port, host);
  await once(server, 'listening');
  return (server.address() as AddressInfo).port;
}

function stopProcess(child: ChildProcess | undefined): Promise<void> {
  const pid = child?.pid;
  if (child === undefined || pid === undefined || child.exitCode !== null || child.signalCode !== null) return Promise.resolve();
  const exited = once(child, 'exit').then(() => undefined);
  try {
    process.kill(pid, 'SIGKILL');
  } catch {
    // gone meanwhile
  }
  return exited.finally(() => unguardPid(pid));
}

function startGuarded(args: string[], cwd: string): ChildProcess {
  const child = spawn(args[0] ?? 'false', args.slice(1), { stdio: 'ignore', cwd });
  if (child.pid === undefined) throw new Error(`cannot spawn ${args[0]}`);
  guardPid(child.pid);
  return child;
}

/** Can this process make a private mount namespace (root, or user namespaces allowed)? */
async function canUnshareMount(hostsFile: string): Promise<boolean> {
  const r = await runCommand('unshare', ['--mount', '--propagation', 'private', 'sh', '-c', `mount --bind ${hostsFile} /etc/hosts && getent hosts machine1.centre.test`], {
    timeoutMs: 10_000,
  });
  return r.code === 0 && r.stdout.includes('127.0.0.1');
}

before(async () => {
  dir = await makeTempDir('socks-ssh');
  const me = currentUser();
  const hostKey = join(dir, 'host_key');
  const userKey = join(dir, 'id');
  await runOk('ssh-keygen', ['-q', '-t', 'ed25519', '-N', '', '-C', 'socks test host', '-f', hostKey]);
  await runOk('ssh-keygen', ['-q', '-t', 'ed25519', '-N', '', '-C', 'socks test user', '-f', userKey]);
  await writeFile(join(dir, 'authorized_keys'), await readFile(`${userKey}.pub`), { mode: 0o600 });
  const hosts = join(dir, 'hosts');
  await writeFile(
    hosts,
    [
      '127.0.0.1 localhost',
      '127.0.0.1 machine1.centre.test',
      ...LOGSERVERS.map((n, i) => `${LOG_ADDRESSES[i]} ${n}.centre.test`),
      '',
    ].join('\n'),
  );
  sshdPort = await freePort({ min: 43000, max: 43999, host: '127.0.0.1' });
  socksPort = await freePort({ min: 43000, max: 43999, host: '127.0.0.1' });
  sshdLog = join(dir, 'sshd.log');
  sshLog = join(dir, 'ssh.log');
  const conf = join(dir, 'sshd_config');
  await writeFile(
    conf,
    [
      `Port ${sshdPort}`,
      'ListenAddress 127.0.0.1',
      `HostKey ${hostKey}`,
      `PidFile ${join(dir, 'sshd.pid')}`,
      `AuthorizedKeysFile ${join(dir, 'authorized_keys')}`,
      'PasswordAuthentication no',
      'KbdInteractiveAuthentication no',
      'UsePAM no',
      'StrictModes no',
      'PermitRootLogin prohibit-password',
      'AllowTcpForwarding yes',
      'PermitTTY no',
      'LogLevel DEBUG1',
      '',
    ].join('\n'),
  );
  const sshdArgs = ['/usr/sbin/sshd', '-D', '-f', conf, '-E', sshdLog];
  centreNames = me.uid === 0 && (await canUnshareMount(hosts));
  // unshare and `sh -c 'exec …'` do not fork: the spawned PID is sshd's.
  sshd = centreNames
    ? startGuarded(
        ['unshare', '--mount', '--propagation', 'private', 'sh', '-c', `mount --bind ${hosts} /etc/hosts && exec "$@"`, 'sh', 'setpriv', ...setprivPrefix(), ...sshdArgs],
        dir,
      )
    : startGuarded(['setpriv', ...setprivPrefix(), ...sshdArgs], dir);
  const logOf = (file: string) => () => {
    try {
      return readFileSync(file, 'utf8');
    } catch {
      return '(no log)';
    }
  };
  await waitForListen(sshd.pid ?? 0, sshdPort, 10_000, logOf(sshdLog));

  const hostPub = (await readFile(`${hostKey}.pub`, 'utf8')).trim().split(/\s+/).slice(0, 2).join(' ');
  const knownHosts = join(dir, 'known_hosts');
  await writeFile(knownHosts, `[127.0.0.1]:${sshdPort} ${hostPub}\n`, { mode: 0o600 });
  ssh = startGuarded(
    [
      'setpriv', ...setprivPrefix(),
      'ssh', '-F', 'none', '-N', '-D', `127.0.0.1:${socksPort}`, '-p', String(sshdPort), '-i', userKey,
      '-o', 'IdentitiesOnly=yes', '-o', 'IdentityAgent=none', '-o', `UserKnownHostsFile=${knownHosts}`,
      '-o', 'GlobalKnownHostsFile=/dev/null', '-o', 'StrictHostKeyChecking=yes', '-o', 'BatchMode=yes',
      '-o', 'ExitOnForwardFailure=yes', '-o', 'ControlPath=none', '-E', sshLog,
      `${me.name}@127.0.0.1`,
    ],
    dir,
  );
  await waitForListen(ssh.pid ?? 0, socksPort, 15_000, () => `${logOf(sshLog)()}\n${logOf(sshdLog)()}`);

  // Targets: echo (127.0.0.1), three "log servers" on one port at three addresses, a silent server.
  echoPort = await listen(
    track(createServer((s) => s.pipe(s))),
    '127.0.0.1',
  );
  logPort = await freePort({ min: 43000, max: 43999, host: '127.0.0.1' });
  for (const [i, address] of LOG_ADDRESSES.entries()) {
    await listen(track(createServer((s) => s.end(`hello from ${LOGSERVERS[i]}\n`))), address, logPort);
  }
  silentPort = await listen(track(createServer(() => {})), '127.0.0.1');
  [plain, tls] = await Promise.all([startEcflowServer(), startEcflowServer({ ssl: true })]);
});

after(async () => {
  await stopProcess(ssh);
  await stopProcess(sshd);
  for (const s of serverSockets) s.destroy();
  await Promise.all(servers.map((s) => new Promise<void>((r) => s.close(() => r()))));
  await Promise.all([plain?.stop(), tls?.stop()]);
  if (dir !== undefined) await removeTempDir(dir);
});

const route = () => socksConnector({ host: '127.0.0.1', port: socksPort }, { label: 'centre' });
const signal = () => AbortSignal.timeout(15_000);

async function readAll(s: Socket, send?: string): Promise<string> {
  if (send !== undefined) s.write(send);
  let got = '';
  for await (const chunk of s) {
    got += String(chunk);
    if (send !== undefined && got.length >= send.length) break;
  }
  s.destroy();
  return got;
}

function connectError(message: string | RegExp) {
  return (e: unknown) => {
    assert.ok(e instanceof EcflowError, String(e));
    assert.equal(e.code, 'CONNECT', e.message);
    if (typeof message === 'string') assert.equal(e.message, message);
    else assert.match(e.message, message);
    return true;
  };
}

function logText(file: string): string {
  try {
    return readFileSync(file, 'utf8');
  } catch {
    return '';
  }
}

async function waitForLog(file: string, re: RegExp): Promise<boolean> {
  for (let i = 0; i < 100; i++) {
    if (re.test(logText(file))) return true;
    await new Promise((r) => setTimeout(r, 20));
  }
  return false;
}

test('ssh -D: the name "localhost" is resolved by the remote side and the echo answers', async () => {
  const s = await route()({ host: 'localhost', port: echoPort }, signal());
  assert.equal(await readAll(s, 'ping through ssh -D'), 'ping through ssh -D');
  // sshd (DEBUG1) logs the target as it received it: the name, not an address.
  assert.ok(
    await waitForLog(sshdLog, new RegExp(`target localhost port ${echoPort}\\b`)),
    `sshd log does not show the name:\n${logText(sshdLog).slice(-2000)}`,
  );
});

test('ssh -D: names known only inside the centre; three log servers on one port by name', async (t) => {
  if (!centreNames) return t.skip('no private mount namespace here (needs root): centre-only names not tested');
  const local = await runCommand('getent', ['hosts', 'machine1.centre.test']);
  assert.notEqual(local.code, 0, 'machine1.centre.test must not resolve on this side');
  const s = await route()({ host: 'machine1.centre.test', port: echoPort }, signal());
  assert.equal(await readAll(s, 'centre'), 'centre');
  const replies = await Promise.all(
    LOGSERVERS.map(async (n) => readAll(await route()({ host: `${n}.centre.test`, port: logPort }, signal()))),
  );
  assert.deepEqual(
    replies,
    LOGSERVERS.map((n) => `hello from ${n}\n`),
  );
});

test('EcflowClient through ssh -D: ping and server version by host name', async () => {
  const client = new EcflowClient({ host: 'localhost', port: plain.port, connector: route() });
  await client.ping();
  assert.equal(await client.serverVersion(), '5.9.2');
  if (centreNames) {
    const byCentreName = new EcflowClient({ host: 'machine1.centre.test', port: plain.port, connector: route() });
    await byCentreName.ping();
  }
  // several requests in parallel: one SOCKS connection each
  await Promise.all(Array.from({ length: 8 }, () => client.ping()));
});

test('EcflowClient with TLS over ssh -D', async () => {
  const certFile = tls.certPath;
  assert.ok(certFile);
  const client = new EcflowClient({ host: 'localhost', port: tls.port, ssl: { certFile }, connector: route() });
  await client.ping();
  assert.equal(await client.serverVersion(), '5.9.2');
});

test('ssh -D: unknown host name → CONNECT with the explanation; the reason is in the ssh log', async () => {
  await assert.rejects(
    route()({ host: 'nosuchhost.invalid', port: 4141 }, signal()),
    connectError(`cannot reach nosuchhost.invalid:4141 through route 'centre' (SOCKS 127.0.0.1:${socksPort}): ${REMOTE_CLOSED_REASON}`),
  );
  assert.ok(await waitForLog(sshLog, /open failed: connect failed: .*(not known|No address|not found)/i), logText(sshLog).slice(-2000));
  // the same through EcflowClient
  const client = new EcflowClient({ host: 'nosuchhost.invalid', port: plain.port, connector: route() });
  await assert.rejects(client.ping(), connectError(/^cannot reach nosuchhost\.invalid:\d+ through route 'centre' .*the remote side closed the connection/));
});

test('ssh -D: a closed port on the remote side → CONNECT with the explanation', async () => {
  const closedPort = await freePort({ min: 43000, max: 43999, host: '127.0.0.1' });
  await assert.rejects(
    route()({ host: 'localhost', port: closedPort }, signal()),
    connectError(`cannot reach localhost:${closedPort} through route 'centre' (SOCKS 127.0.0.1:${socksPort}): ${REMOTE_CLOSED_REASON}`),
  );
  assert.ok(await waitForLog(sshLog, /open failed: connect failed: Connection refused/), logText(sshLog).slice(-2000));
});

test('abort and timeout of a request in flight through ssh -D (the target never answers)', async () => {
  const client = new EcflowClient({ host: 'localhost', port: silentPort, connector: route() });
  const ac = new AbortController();
  const started = performance.now();
  setTimeout(() => ac.abort(), 300);
  await assert.rejects(client.ping({ signal: ac.signal }), (e) => e instanceof EcflowCancelledError);
  assert.ok(performance.now() - started < 5000);
  await assert.rejects(client.ping({ timeoutMs: 400 }), (e) => e instanceof EcflowError && e.code === 'TIMEOUT');
  // the connector itself, aborted at once and a little later
  for (const delay of [0, 1, 5]) {
    const c = new AbortController();
    const p = route()({ host: 'localhost', port: echoPort }, c.signal);
    setTimeout(() => c.abort(new Error('stop')), delay);
    await p.then(
      (s) => s.destroy(), // quick enough: a connected socket, destroyed here
      (e: unknown) => assert.match(String(e), /stop/),
    );
  }
});

test('route down: the SOCKS port is closed → CONNECT says so', async () => {
  const unused = await freePort({ min: 43000, max: 43999, host: '127.0.0.1' });
  const down = socksConnector({ host: '127.0.0.1', port: unused }, { label: 'centre' });
  await assert.rejects(
    down({ host: 'machine1', port: 4141 }, signal()),
    connectError(`cannot reach machine1:4141 through route 'centre' (SOCKS 127.0.0.1:${unused}): nothing listens on the SOCKS port (ECONNREFUSED): the route is not up`),
  );
  const client = new EcflowClient({ host: 'machine1', port: 4141, connector: down });
  await assert.rejects(client.ping(), connectError(/the route is not up$/));
});

test('the ssh process ends: the same connector now reports the route down (runs last)', async () => {
  await stopProcess(ssh);
  assert.ok(!isAlive(ssh?.pid ?? 0));
  await assert.rejects(
    route()({ host: 'localhost', port: echoPort }, signal()),
    connectError(/nothing listens on the SOCKS port \(ECONNREFUSED\): the route is not up$/),
  );
});
