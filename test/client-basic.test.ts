/**
 * EcflowClient against a REAL plain ecflow_server: ping, version, get, the server's error text
 * verbatim (compared with the real ecflow_client's), connection refused, and a server that dies
 * in the middle of a request.
 */
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { EcflowClient } from '../src/client/ecflow-client.js';
import { EcflowError, EcflowServerError } from '../src/errors.js';
import { CtsApi, CtsNodeApi, PathsApi } from '../src/protocol/commands.js';
import type { Connector } from '../src/transport/connector.js';
import { directConnector } from '../src/transport/tcp.js';
import { type EcflowServer, startEcflowServer } from './helpers/ecflow-server.js';
import { freePort } from './helpers/ports.js';

const DEFS = 'suite s1\n  family f1\n    task t1\n  endfamily\nendsuite\n';

let srv: EcflowServer;
before(async () => {
  srv = await startEcflowServer({ defs: DEFS });
});
after(() => srv.stop());

function client(extra: Partial<ConstructorParameters<typeof EcflowClient>[0]> = {}): EcflowClient {
  return new EcflowClient({ host: srv.host, port: srv.port, ...extra });
}

/** The text after "Server reply: " in the real ecflow_client's output. */
function realServerReply(out: string): string {
  const m = /Server reply: ([\s\S]*)$/.exec(out);
  assert.ok(m, `no "Server reply:" in ${out}`);
  return (m[1] ?? '').replace(/\n+$/, '');
}

test('ping, serverVersion, get through the client', async () => {
  const c = client();
  await c.ping();
  assert.equal(await c.serverVersion(), '5.9.2');
  const reply = await c.request({ cmd: 'CtsNodeCmd', api: CtsNodeApi.GET });
  assert.equal(reply.reply, 'DefsCmd');
  assert.match(JSON.stringify(reply), /suite s1/);
  const suites = await c.request({ cmd: 'CtsCmd', api: CtsApi.SUITES });
  assert.equal(suites.reply, 'SSuitesCmd');
});

test('ErrorCmd -> EcflowServerError with the server text verbatim and the command as context', async () => {
  let err: unknown;
  try {
    await client().request({ cmd: 'PathsCmd', api: PathsApi.SUSPEND, paths: ['/nonexistent'] });
  } catch (e) {
    err = e;
  }
  assert.ok(err instanceof EcflowServerError, String(err));
  assert.equal(err.code, 'SERVER');
  assert.equal(err.context, '--suspend /nonexistent');
  const real = await srv.ecflowClient(['--suspend=/nonexistent']);
  assert.notEqual(real.code, 0);
  assert.equal(err.serverMessage, realServerReply(real.stderr + real.stdout));
  assert.equal(err.message, err.serverMessage);
});

test('GroupSTCCmd holding an ErrorCmd throws; rawGroupReply returns the group', async () => {
  const group = {
    cmd: 'GroupCTSCmd',
    children: [
      { cmd: 'CtsCmd', api: CtsApi.SUITES },
      { cmd: 'PathsCmd', api: PathsApi.RESUME, paths: ['/nope'] },
    ],
  } as const;
  await assert.rejects(client().request(group), (e: unknown) => {
    assert.ok(e instanceof EcflowServerError);
    assert.match(e.serverMessage, /\/nope/);
    return true;
  });
  const raw = await client().request(group, { rawGroupReply: true });
  assert.equal(raw.reply, 'GroupSTCCmd');
});

test('connection refused -> CONNECT naming host:port', async () => {
  const port = await freePort();
  await assert.rejects(new EcflowClient({ host: '127.0.0.1', port }).ping(), (e: unknown) => {
    assert.ok(e instanceof EcflowError);
    assert.equal(e.code, 'CONNECT');
    assert.match(e.message, new RegExp(`127\\.0\\.0\\.1:${port}.*ECONNREFUSED`));
    return true;
  });
});

test('unknown host -> CONNECT', async () => {
  await assert.rejects(new EcflowClient({ host: 'no-such-host.invalid', port: 3141 }).ping(), (e: unknown) => {
    assert.ok(e instanceof EcflowError);
    assert.equal(e.code, 'CONNECT');
    assert.match(e.message, /no-such-host\.invalid:3141/);
    return true;
  });
});

test('server killed in the middle of a request -> CONNECTION_CLOSED', async () => {
  const victim = await startEcflowServer();
  try {
    // Freeze the server: the kernel still accepts our connection and buffers the request.
    let connected!: () => void;
    const isConnected = new Promise<void>((r) => (connected = r));
    const connector: Connector = async (target, signal) => {
      const s = await directConnector(target, signal);
      connected();
      return s;
    };
    process.kill(victim.pid, 'SIGSTOP');
    const pending = new EcflowClient({ host: victim.host, port: victim.port, connector }).ping();
    await isConnected;
    await new Promise((r) => setTimeout(r, 100));
    process.kill(victim.pid, 'SIGKILL');
    await assert.rejects(pending, (e: unknown) => {
      assert.ok(e instanceof EcflowError, String(e));
      assert.equal(e.code, 'CONNECTION_CLOSED');
      assert.match(e.message, /closed the connection without a reply/);
      return true;
    });
  } finally {
    try {
      process.kill(victim.pid, 'SIGCONT');
    } catch {
      // already gone
    }
    await victim.stop();
  }
});

test('syncFull, news and sync: the numbers from defs_state, NO_NEWS, then NEWS and an incremental sync', async () => {
  const c = client();
  const full = await c.syncFull();
  assert.equal(full.fullDefs, true);
  const state = /^defs_state .*$/m.exec(full.defs)?.[0] ?? '';
  const since = {
    stateChangeNo: Number(/state_change:(\d+)/.exec(state)?.[1] ?? 0),
    modifyChangeNo: Number(/modify_change:(\d+)/.exec(state)?.[1] ?? 0),
  };
  assert.equal(await c.news(since), 0);
  await c.request({ cmd: 'PathsCmd', api: PathsApi.SUSPEND, paths: ['/s1/f1/t1'] });
  try {
    assert.equal(await c.news(since), 1);
    const inc = await c.sync(since);
    assert.equal(inc.fullDefs, false);
    assert.ok(inc.compounds.length > 0);
    assert.ok(inc.stateChangeNo > since.stateChangeNo);
  } finally {
    await c.request({ cmd: 'PathsCmd', api: PathsApi.RESUME, paths: ['/s1/f1/t1'] });
  }
});

test('a reply larger than maxFrameBytes -> FRAME, before the payload is buffered', async () => {
  const c = client({ maxFrameBytes: 64 });
  await assert.rejects(c.request({ cmd: 'CtsNodeCmd', api: CtsNodeApi.GET }), (e: unknown) => {
    assert.ok(e instanceof EcflowError);
    assert.equal(e.code, 'FRAME');
    return true;
  });
  assert.throws(() => client({ maxFrameBytes: 0 }), (e: unknown) => e instanceof EcflowError && e.code === 'INVALID_ARGUMENT');
});
