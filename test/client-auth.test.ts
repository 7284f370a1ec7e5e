/**
 * EcflowClient identities against REAL ecflow_servers with password files and white lists
 * (ecflow-protocol.md §12): custom users with passwords, ECF_PASSWD for the login user, a white
 * list on a server run by another OS user, read-only users. Server texts are compared with what
 * the real ecflow_client prints.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { userInfo } from 'node:os';
import { EcflowClient, type EcflowClientOptions } from '../src/client/ecflow-client.js';
import { CUSTOM_USER_PASSWORD_MISSING } from '../src/client/identity.js';
import { EcflowError, EcflowServerError } from '../src/errors.js';
import { PathsApi } from '../src/protocol/commands.js';
import type { Connector } from '../src/transport/connector.js';
import { directConnector } from '../src/transport/tcp.js';
import { startEcflowServer } from './helpers/ecflow-server.js';

const DEFS = 'suite s1\n  task t1\nendsuite\n';
const me = userInfo().username;

/** A direct connector that counts connection attempts (to prove nothing was sent). */
function countingConnector(): { connector: Connector; count: () => number } {
  let n = 0;
  return {
    connector: (target, signal) => {
      n++;
      return directConnector(target, signal);
    },
    count: () => n,
  };
}

function realServerReply(out: string): string {
  const m = /Server reply: ([\s\S]*)$/.exec(out);
  assert.ok(m, `no "Server reply:" in ${out}`);
  return (m[1] ?? '').replace(/\n+$/, '');
}

async function serverErrorOf(p: Promise<unknown>): Promise<EcflowServerError> {
  try {
    await p;
  } catch (e) {
    assert.ok(e instanceof EcflowServerError, String(e));
    return e;
  }
  assert.fail('expected the server to refuse');
}

test('custom users with passwords: accepted, wrong password refused verbatim, missing password not sent, read-only refused writes', async (t) => {
  const srv = await startEcflowServer({
    defs: DEFS,
    customPasswd: 'rouser {{HOST}} {{PORT}} ropw\nrwuser {{HOST}} {{PORT}} rwpw\n',
    whiteList: 'rwuser\n-rouser\n',
  });
  t.after(() => srv.stop());
  const at = (extra: Partial<EcflowClientOptions>) => new EcflowClient({ host: srv.host, port: srv.port, env: {}, ...extra });

  await t.test('right password (application) accepted', async () => {
    const c = at({ identity: { customUser: 'rwuser', password: 'rwpw' } });
    assert.equal(await c.serverVersion(), '5.9.2');
    await c.request({ cmd: 'PathsCmd', api: PathsApi.SUSPEND, paths: ['/s1'] });
    await c.request({ cmd: 'PathsCmd', api: PathsApi.RESUME, paths: ['/s1'] });
  });

  await t.test('right password from ECF_CUSTOM_PASSWD (host as localhost, then real host name)', async () => {
    const file = await srv.clientFile('custom', 'rouser {{HOST}} {{PORT}} ropw\n', { passwd: true });
    const c = at({ identity: { customUser: 'rouser' }, env: { ECF_CUSTOM_PASSWD: file }, onWarning: () => {} });
    assert.equal(await c.serverVersion(), '5.9.2');
    const fromFile = at({ identity: { customUser: 'rouser', passwordFile: file }, onWarning: () => {} });
    assert.equal(await fromFile.serverVersion(), '5.9.2');
  });

  await t.test('wrong password refused with the server text verbatim (code AUTH)', async () => {
    const err = await serverErrorOf(at({ identity: { customUser: 'rouser', password: 'wrong' } }).serverVersion());
    assert.equal(err.code, 'AUTH');
    assert.ok(!err.message.includes('wrong'));
    const file = await srv.clientFile('wrong', 'rouser {{HOST}} {{PORT}} wrong\n', { passwd: true });
    const real = await srv.ecflowClient(['--server_version'], { ECF_USER: 'rouser', ECF_CUSTOM_PASSWD: file });
    assert.notEqual(real.code, 0);
    assert.equal(err.serverMessage, realServerReply(real.stderr + real.stdout));
  });

  await t.test('missing password -> PASSWORD error, nothing sent', async () => {
    const counter = countingConnector();
    const c = at({ identity: { customUser: 'rouser' }, connector: counter.connector });
    await assert.rejects(c.serverVersion(), (e: unknown) => {
      assert.ok(e instanceof EcflowError);
      assert.equal(e.code, 'PASSWORD');
      assert.ok(e.message.startsWith(CUSTOM_USER_PASSWORD_MISSING), e.message);
      return true;
    });
    assert.equal(counter.count(), 0);
    // the real client refuses the same way, also without contacting the server
    const real = await srv.ecflowClient(['--server_version'], { ECF_USER: 'rouser' });
    assert.ok((real.stderr + real.stdout).includes(CUSTOM_USER_PASSWORD_MISSING));
  });

  await t.test('read-only user: reads fine, writes refused with the server text verbatim', async () => {
    const c = at({ identity: { customUser: 'rouser', password: 'ropw' } });
    await c.request({ cmd: 'CtsNodeCmd', api: 3 });
    const err = await serverErrorOf(c.request({ cmd: 'PathsCmd', api: PathsApi.SUSPEND, paths: ['/s1'] }));
    assert.equal(err.code, 'AUTH');
    assert.equal(err.context, '--suspend /s1');
    const file = await srv.clientFile('ro', 'rouser {{HOST}} {{PORT}} ropw\n', { passwd: true });
    const real = await srv.ecflowClient(['--suspend=/s1'], { ECF_USER: 'rouser', ECF_CUSTOM_PASSWD: file });
    assert.equal(err.serverMessage, realServerReply(real.stderr + real.stdout));
  });
});

test('login user with ECF_PASSWD: password found -> accepted; none -> refused', async (t) => {
  const srv = await startEcflowServer({ passwd: `${me} {{HOST}} {{PORT}} mypw\n` });
  t.after(() => srv.stop());
  const file = await srv.clientFile('login', `${me} localhost {{PORT}} mypw\n`, { passwd: true });
  const ok = new EcflowClient({ host: srv.host, port: srv.port, env: { ECF_PASSWD: file }, onWarning: () => {} });
  assert.equal(await ok.serverVersion(), '5.9.2');
  assert.equal((await ok.identity()).passwordSource, file);

  const none = new EcflowClient({ host: srv.host, port: srv.port, env: {} });
  const err = await serverErrorOf(none.serverVersion());
  assert.equal(err.code, 'AUTH');
  const real = await srv.ecflowClient(['--server_version']);
  assert.equal(err.serverMessage, realServerReply(real.stderr + real.stdout));
});

test('white list on a server run by another OS user: our login name refused, remoteUser accepted', async (t) => {
  const srv = await startEcflowServer({ runAs: 'ecfop', whiteList: 'fred\n-reader\n', defs: DEFS });
  t.after(() => srv.stop());
  assert.notEqual(srv.serverUser, me);
  const mine = new EcflowClient({ host: srv.host, port: srv.port, env: {} });
  const err = await serverErrorOf(mine.serverVersion());
  assert.equal(err.code, 'AUTH');
  assert.match(err.serverMessage, new RegExp(`User '${me}' is not allowed any access`));

  const fred = new EcflowClient({ host: srv.host, port: srv.port, env: {}, identity: { remoteUser: 'fred' } });
  assert.equal(await fred.serverVersion(), '5.9.2');
  await fred.request({ cmd: 'PathsCmd', api: PathsApi.SUSPEND, paths: ['/s1'] });

  const reader = new EcflowClient({ host: srv.host, port: srv.port, env: {}, identity: { remoteUser: 'reader' } });
  assert.equal(await reader.serverVersion(), '5.9.2');
  const denied = await serverErrorOf(reader.request({ cmd: 'PathsCmd', api: PathsApi.RESUME, paths: ['/s1'] }));
  assert.equal(denied.code, 'AUTH');
  assert.match(denied.serverMessage, /User reader has no \*write\* access/);
});
