/**
 * Proves the integration-test harness (test/helpers) against the REAL ecflow_server and
 * ecflow_client from the Debian packages: plain server, white list, a server run by another OS
 * user, custom users with passwords, TLS. Every server is stopped, also when an assertion fails.
 */
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir, userInfo } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { connect as tlsConnect } from 'node:tls';
import { type EcflowServer, startEcflowServer } from './helpers/ecflow-server.js';
import { freePort, ECFLOW_PORT_MAX, ECFLOW_PORT_MIN } from './helpers/ports.js';
import { pythonTreeSummary } from './helpers/python-ecflow.js';
import { isAlive, runCommand } from './helpers/run.js';
import { installClientCert, makeServerTlsFiles } from './helpers/tls.js';

const DEFS = `suite s1
  family f1
    task t1
    task t2
  endfamily
  task t3
endsuite
`;

/** Asserts the real client failed and its output contains `text` (the server's own message). */
function assertRefused(r: { code: number | null; stdout: string; stderr: string }, text: string): void {
  assert.notEqual(r.code, 0, `expected a refusal, got success: ${r.stdout}`);
  assert.ok((r.stderr + r.stdout).includes(text), `expected "${text}" in: ${r.stderr}${r.stdout}`);
}

async function stopped(srv: EcflowServer): Promise<void> {
  await srv.stop();
  assert.equal(isAlive(srv.pid), false, 'server process still running after stop()');
  assert.equal(existsSync(srv.ecfHome), false, 'server temp files not removed by stop()');
}

test('freePort picks bindable ports inside the ecflow_server range', async () => {
  const seen = new Set<number>();
  for (let i = 0; i < 5; i++) {
    const p = await freePort();
    assert.ok(p >= ECFLOW_PORT_MIN && p <= ECFLOW_PORT_MAX, `port ${p}`);
    assert.ok(!seen.has(p), 'the same port handed out twice');
    seen.add(p);
  }
});

test('a passwd file without a line for the server host+port is rejected before start', async () => {
  await assert.rejects(
    startEcflowServer({ passwd: 'root localhost {{PORT}} pw\n' }),
    /refuses to start unless the file has at least one line for its own host/,
  );
});

test('plain server: ping, load, get, python reference summary, stop', async (t) => {
  const t0 = performance.now();
  const srv = await startEcflowServer({ defs: DEFS });
  t.after(() => srv.stop());
  t.diagnostic(`start+load+begin ${Math.round(performance.now() - t0)} ms (port ${srv.port}, pid ${srv.pid})`);
  assert.ok(existsSync(srv.logFile), srv.logFile);
  assert.ok(srv.logFile.startsWith(srv.ecfHome));

  const ping = await srv.ecflowClient(['--ping']);
  assert.equal(ping.code, 0, ping.stderr);
  assert.match(ping.stdout, /ping server\(localhost:\d+\) succeeded/);

  const more = await srv.clientFile('more.def', 'suite s2\n  task a\nendsuite\n');
  const load = await srv.ecflowClient([`--load=${more}`]);
  assert.equal(load.code, 0, load.stderr);

  const get = await srv.ecflowClient(['--get']);
  assert.equal(get.code, 0, get.stderr);
  assert.match(get.stdout, /^suite s1$/m);
  assert.match(get.stdout, /^ {4}task t2$/m);
  assert.match(get.stdout, /^suite s2$/m);

  const dup = await srv.ecflowClient([`--load=${more}`]);
  assertRefused(dup, "Add Suite failed: A Suite of name 's2' already exist");

  const py = await pythonTreeSummary(srv.host, srv.port);
  assert.deepEqual(py.kinds, { suite: 2, family: 1, task: 4, alias: 0 });
  assert.equal(py.total, 7);
  assert.equal(py.states['queued'], 5, JSON.stringify(py.states)); // s1 begun; s2 not
  assert.equal(py.states['unknown'], 2, JSON.stringify(py.states));
  assert.equal(py.serverState, 'HALTED');
  assert.ok(py.syncMs > 0 && py.peakRssKb >= py.rssBeforeKb && py.rssBeforeKb > 0, JSON.stringify(py));

  const t1 = performance.now();
  await stopped(srv);
  t.diagnostic(`stop ${Math.round(performance.now() - t1)} ms`);
});

test('white list: read-only users (custom user and login name) are refused writes', async (t) => {
  const srv = await startEcflowServer({
    defs: DEFS,
    whiteList: 'rwuser\n-rouser\n-ecfro\n',
    customPasswd: 'rouser {{HOST}} {{PORT}} ropw\nrwuser {{HOST}} {{PORT}} rwpw\n',
  });
  t.after(() => srv.stop());
  const custom = await srv.clientFile(
    'custom_passwd',
    'rouser {{HOST}} {{PORT}} ropw\nrwuser {{HOST}} {{PORT}} rwpw\n',
    { passwd: true },
  );

  // §12.4: --user=rouser with a client-side ECF_CUSTOM_PASSWD reads, but may not write.
  const roGet = await srv.ecflowClient(['--user=rouser', '--get'], { ECF_CUSTOM_PASSWD: custom });
  assert.equal(roGet.code, 0, roGet.stderr);
  assert.match(roGet.stdout, /^suite s1$/m);
  const roSuspend = await srv.ecflowClient(['--user=rouser', '--suspend=/s1'], { ECF_CUSTOM_PASSWD: custom });
  assertRefused(roSuspend, '[ authentication failed ] User rouser has no *write* access');

  // ECF_USER is the same as --user.
  const roEnv = await srv.ecflowClient(['--suspend=/s1'], { ECF_USER: 'rouser', ECF_CUSTOM_PASSWD: custom });
  assertRefused(roEnv, 'User rouser has no *write* access');

  const rwSuspend = await srv.ecflowClient(['--user=rwuser', '--suspend=/s1'], { ECF_CUSTOM_PASSWD: custom });
  assert.equal(rwSuspend.code, 0, rwSuspend.stderr);

  // A login name (the OS user running the client) that is read-only in the list.
  const loginGet = await srv.ecflowClient(['--get'], {}, { asUser: 'ecfro' });
  assert.equal(loginGet.code, 0, loginGet.stderr);
  const loginWrite = await srv.ecflowClient(['--resume=/s1'], {}, { asUser: 'ecfro' });
  assertRefused(loginWrite, '[ authentication failed ] User ecfro has no *write* access');

  // Not in the list at all.
  const other = await srv.ecflowClient(['--get'], {}, { asUser: 'ecfop' });
  assertRefused(other, "User 'ecfop' is not allowed any access");

  await stopped(srv);
});

test('a server run by another OS user, white list with only that user, refuses our login name', async (t) => {
  const t0 = performance.now();
  const srv = await startEcflowServer({ runAs: 'ecfop', whiteList: 'ecfop\n' });
  t.after(() => srv.stop());
  t.diagnostic(`start as ecfop ${Math.round(performance.now() - t0)} ms`);
  assert.equal(srv.serverUser, 'ecfop');
  const ps = await runCommand('ps', ['-o', 'user=', '-p', String(srv.pid)]);
  assert.equal(ps.stdout.trim(), 'ecfop');

  const mine = await srv.ecflowClient(['--ping']);
  assertRefused(mine, `[ authentication failed ] User '${userInfo().username}' is not allowed any access.`);

  const theirs = await srv.ecflowClient(['--ping'], {}, { asUser: 'ecfop' });
  assert.equal(theirs.code, 0, theirs.stderr);

  const t1 = performance.now();
  await stopped(srv); // terminate is sent as ecfop, who has write access
  t.diagnostic(`stop ${Math.round(performance.now() - t1)} ms`);
});

test('passwords: custom user with ECF_CUSTOM_PASSWD, login user with ECF_PASSWD', async (t) => {
  const srv = await startEcflowServer({
    passwd: 'root {{HOST}} {{PORT}} rootpw\n',
    customPasswd: 'bob {{HOST}} {{PORT}} bobpw # trailing comment\n',
  });
  t.after(() => srv.stop());
  const good = await srv.clientFile('good', 'bob {{HOST}} {{PORT}} bobpw\n', { passwd: true });
  const wrong = await srv.clientFile('wrong', 'bob {{HOST}} {{PORT}} nope\n', { passwd: true });
  const goodLocalhost = await srv.clientFile('good-localhost', 'bob localhost {{PORT}} bobpw\n', { passwd: true });
  const rootFile = await srv.clientFile('root', 'root {{HOST}} {{PORT}} rootpw\n', { passwd: true });

  const ok = await srv.ecflowClient(['--user=bob', '--ping'], { ECF_CUSTOM_PASSWD: good });
  assert.equal(ok.code, 0, ok.stderr);
  // The client looks the password up under the host as typed, then the real host name.
  const ok2 = await srv.ecflowClient(['--user=bob', '--ping'], { ECF_CUSTOM_PASSWD: goodLocalhost });
  assert.equal(ok2.code, 0, ok2.stderr);

  const bad = await srv.ecflowClient(['--user=bob', '--ping'], { ECF_CUSTOM_PASSWD: wrong });
  assertRefused(bad, "[ authentication failed ] User 'bob' is not allowed any access.");

  const none = await srv.ecflowClient(['--user=bob', '--ping']);
  assertRefused(none, 'Invalid custom user(ECF_USER || --user <user>) or authentication failed');

  // Login user: a server passwd file means the login name needs a password too.
  const rootNone = await srv.ecflowClient(['--ping']);
  assertRefused(rootNone, 'is not allowed any access.');
  const rootOk = await srv.ecflowClient(['--ping'], { ECF_PASSWD: rootFile });
  assert.equal(rootOk.code, 0, rootOk.stderr);

  await stopped(srv); // terminate uses the server's passwd file as the client's ECF_PASSWD
});

test('TLS: ecflow_client --ssl with the cert in $HOME/.ecflowrc/ssl; plain refused', async (t) => {
  const t0 = performance.now();
  const srv = await startEcflowServer({ ssl: true, defs: DEFS });
  t.after(() => srv.stop());
  t.diagnostic(`TLS start (cert+key+dh, server, load) ${Math.round(performance.now() - t0)} ms`);
  assert.ok(srv.certPath !== undefined && existsSync(srv.certPath));
  const pem = await readFile(srv.certPath, 'utf8');

  const ssl = await srv.ecflowClient(['--ssl', '--ping'], { ECF_SSL: undefined });
  assert.equal(ssl.code, 0, ssl.stderr);
  const sslEnv = await srv.ecflowClient(['--get']); // ECF_SSL=1 is the default for a TLS server
  assert.equal(sslEnv.code, 0, sslEnv.stderr);
  assert.match(sslEnv.stdout, /^suite s1$/m);

  const plain = await srv.ecflowClient(['--ping'], { ECF_SSL: undefined });
  assertRefused(plain, 'mixing ssl and non-ssl');

  // Which file the client needs: server.crt or <host>.<port>.crt, localhost → host name.
  const homes = await mkdtemp(join(tmpdir(), 'ecflow-remote-harness-'));
  t.after(() => rm(homes, { recursive: true, force: true }));
  const named = join(homes, 'named');
  await installClientCert(named, pem, `${srv.hostName}.${srv.port}.crt`);
  const viaLocalhost = await srv.ecflowClient(['--ping'], { HOME: named, ECF_HOST: 'localhost' });
  assert.equal(viaLocalhost.code, 0, viaLocalhost.stderr);
  const viaIp = await srv.ecflowClient(['--ping'], { HOME: named, ECF_HOST: '127.0.0.1' });
  assertRefused(viaIp, `127.0.0.1.${srv.port}.crt in $HOME/.ecflowrc/ssl`);
  const empty = join(homes, 'empty');
  const noCert = await srv.ecflowClient(['--ping'], { HOME: empty });
  assertRefused(noCert, 'Expected to find the self signed certificate file(CRT)');

  // A different self-signed certificate is not trusted.
  const other = await makeServerTlsFiles(join(homes, 'other-server'));
  const otherHome = join(homes, 'other');
  await installClientCert(otherHome, await readFile(other.certPath, 'utf8'));
  const untrusted = await srv.ecflowClient(['--ping'], { HOME: otherHome });
  assertRefused(untrusted, 'certificate verify failed');

  // certPath is what a Node TLS client trusts (§13 recipe).
  const protocol = await new Promise<string | null>((resolve, reject) => {
    const s = tlsConnect({ host: '127.0.0.1', port: srv.port, ca: pem, checkServerIdentity: () => undefined }, () => {
      const p = s.getProtocol();
      s.destroy();
      resolve(p);
    });
    s.once('error', reject);
  });
  assert.match(protocol ?? '', /^TLSv1\.[23]$/);

  const py = await pythonTreeSummary(srv.host, srv.port, { HOME: srv.clientHome }, { ssl: true });
  assert.deepEqual(py.kinds, { suite: 1, family: 1, task: 3, alias: 0 });

  await stopped(srv);
});
