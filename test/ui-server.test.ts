/**
 * The local UI server (src/server) against REAL ecflow_servers, over real HTTP and WebSocket:
 * the gate (token, cookie, Host, Origin), snapshots that match the model, a server-side change
 * reaching the browser as a delta within 2 s, actions (and the server's own error text), a
 * read-only server, server edits with a stored password that never leaks, importing servers.txt,
 * a server restart (new epoch, same paths). Plus the 1M-node snapshot build (printed, not asserted).
 */
import assert from 'node:assert/strict';
import { mkdir, readFile, stat, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { deflateRawSync } from 'node:zlib';
import WebSocket, { WebSocketServer } from 'ws';
import { after, before, describe, test } from 'node:test';
import { EcflowClient } from '../src/client/ecflow-client.js';
import { loadConfig } from '../src/config/config.js';
import { generateSuiteDefs } from '../src/model/generate-defs.js';
import { treeSummary, type TreeSummary } from '../src/model/summary.js';
import { NSTATE_NAMES, NState } from '../src/model/types.js';
import { parseDefs } from '../src/protocol/defs-parser.js';
import { PathsApi } from '../src/protocol/commands.js';
import { buildNodeTable, snapshotColumns } from '../src/server/node-table.js';
import { startUiServer, type UiServerHandle } from '../src/server/ui-server.js';
import { decodeStateChar, type ServerMessage, type SnapshotColumns } from '../src/server/ui-protocol.js';
import { startEcflowServer, type EcflowServer } from './helpers/ecflow-server.js';
import { makeTempDir } from './helpers/tmp.js';
import { httpGet, tryWebSocket, type UiSocket } from './helpers/ui-server-client.js';

const DEFS = `suite s1
  edit V1 'one'
  limit lim 2
  family f1
    task t1
      label lab "initial"
      meter m 0 100 0
      event ev
      edit TV 'x'
    task t2
      trigger t1 == complete
      inlimit /s1:lim
    task t3
      repeat integer R 1 10 1
  endfamily
  family f2
    task a
    task b
  endfamily
endsuite
suite s2
  task x
endsuite
`;

type Snapshot = Extract<ServerMessage, { type: 'snapshot' }>;
type Delta = Extract<ServerMessage, { type: 'delta' }>;
const isSnapshot = (server: string, minEpoch = 0) => (m: ServerMessage): m is Snapshot => m.type === 'snapshot' && m.server === server && m.epoch >= minEpoch;

/** Paths of a snapshot's nodes, rebuilt from names and depths like the browser does. */
function snapshotPaths(c: SnapshotColumns): string[] {
  const names = c.names === '' ? [] : c.names.split('\n');
  const stack: string[] = [];
  return names.map((name, i) => {
    const depth = c.depths.charCodeAt(i) - 48;
    stack.length = depth;
    stack.push(name);
    return '/' + stack.join('/');
  });
}

function summaryOfColumns(c: SnapshotColumns): { total: number; kinds: Record<string, number>; states: Record<string, number>; suspended: number } {
  const total = c.names === '' ? 0 : c.names.split('\n').length;
  const kinds: Record<string, number> = { suite: 0, family: 0, task: 0, alias: 0 };
  const byChar: Record<string, string> = { s: 'suite', f: 'family', t: 'task', a: 'alias' };
  for (const ch of c.kinds) kinds[byChar[ch]!]!++;
  const states: Record<string, number> = Object.fromEntries(NSTATE_NAMES.map((n) => [n, 0]));
  let suspended = 0;
  for (let i = 0; i < c.states.length; i++) {
    const s = decodeStateChar(c.states.charCodeAt(i));
    states[NSTATE_NAMES[s.nstate]!]!++;
    if (s.suspended) suspended++;
  }
  assert.equal(c.depths.length, total);
  assert.equal(c.kinds.length, total);
  assert.equal(c.states.length, total);
  return { total, kinds, states, suspended };
}

async function fullSummary(client: EcflowClient): Promise<TreeSummary> {
  const r = await client.syncFull();
  return treeSummary(parseDefs(r.fullDefs ? r.defs : r.serverDefs).defs);
}

async function writeConfig(dir: string, text: string): Promise<string> {
  const path = join(dir, 'config.toml');
  await writeFile(path, text, { mode: 0o600 });
  return path;
}

describe('ui server against a real ecflow_server', () => {
  let srv: EcflowServer;
  let client: EcflowClient;
  let dir: string;
  let webRoot: string;
  let configPath: string;
  let ui: UiServerHandle;
  const logs: string[] = [];
  const sockets: UiSocket[] = [];

  const origin = () => `http://127.0.0.1:${ui.port}`;
  const wsUrl = (token = ui.token) => `ws://127.0.0.1:${ui.port}/ws?token=${token}`;
  const connect = async (): Promise<UiSocket> => {
    const r = await tryWebSocket(wsUrl(), { Origin: origin() });
    assert.ok('ws' in r, `the upgrade was refused: ${'status' in r ? r.status : ''}`);
    sockets.push(r.ws);
    await r.ws.waitFor((m) => m.type === 'welcome');
    return r.ws;
  };

  before(async () => {
    srv = await startEcflowServer({ defs: DEFS });
    client = new EcflowClient({ host: srv.host, port: srv.port, env: {} });
    dir = await makeTempDir('ui-server');
    webRoot = join(dir, 'web');
    await mkdir(join(webRoot, 'assets'), { recursive: true });
    await writeFile(join(webRoot, 'index.html'), '<!doctype html><title>ecflow-remote test UI</title>\n');
    await writeFile(join(webRoot, 'assets', 'app.js'), 'console.log("app");\n');
    configPath = await writeConfig(
      dir,
      `[servers.test]\nhost = "${srv.host}"\nport = ${srv.port}\n\n[servers.ro]\nhost = "${srv.host}"\nport = ${srv.port}\nread_only = true\n`,
    );
    const config = await loadConfig({ path: configPath, env: {} });
    ui = await startUiServer({
      config,
      port: 0,
      webRoot,
      env: { ...process.env, ECFLOW_REMOTE_CONFIG: configPath, XDG_RUNTIME_DIR: dir },
      poll: { retryInitialMs: 300, retryMaxMs: 1000 },
      log: (line) => logs.push(line),
    });
  });

  after(async () => {
    for (const s of sockets) s.close();
    await ui?.close();
    await srv?.stop();
  });

  test('HTTP: no token 401, wrong token 403, right token -> cookie -> index; wrong Host refused; headers', async () => {
    const none = await httpGet(ui.port, '/');
    assert.equal(none.status, 401);
    assert.doesNotMatch(none.body, /ecflow-remote test UI/);
    const wrong = await httpGet(ui.port, '/?token=not-the-token');
    assert.equal(wrong.status, 403);
    assert.doesNotMatch(wrong.body, /ecflow-remote test UI/);
    const wrongCookie = await httpGet(ui.port, '/', { Cookie: `ecflow_remote_${ui.port}=nope` });
    assert.equal(wrongCookie.status, 403);

    const first = await httpGet(ui.port, `/s1/f1?token=${ui.token}`);
    assert.equal(first.status, 303, 'the token is swapped for a cookie');
    assert.equal(first.headers.location, '/s1/f1', 'and leaves the address');
    const setCookie = String(first.headers['set-cookie']);
    assert.match(setCookie, /HttpOnly/);
    assert.match(setCookie, /SameSite=Strict/);
    const cookie = setCookie.split(';')[0]!;

    const index = await httpGet(ui.port, '/', { Cookie: cookie });
    assert.equal(index.status, 200);
    assert.match(index.body, /ecflow-remote test UI/);
    assert.match(String(index.headers['content-security-policy']), /default-src 'self'/);
    assert.equal(index.headers['referrer-policy'], 'no-referrer');
    assert.equal(index.headers['x-content-type-options'], 'nosniff');
    const deep = await httpGet(ui.port, '/test/s1/f1/t1', { Cookie: cookie });
    assert.equal(deep.status, 200, 'deep links get index.html');
    assert.match(deep.body, /ecflow-remote test UI/);
    const asset = await httpGet(ui.port, '/assets/app.js', { Cookie: cookie });
    assert.equal(asset.status, 200);
    assert.match(String(asset.headers['content-type']), /javascript/);
    assert.equal((await httpGet(ui.port, '/assets/missing.js', { Cookie: cookie })).status, 404);
    for (const sneaky of ['/../../etc/passwd', '/%2e%2e/%2e%2e/etc/passwd']) {
      const r = await httpGet(ui.port, sneaky, { Cookie: cookie });
      assert.equal(r.status, 200, 'normalised by the URL parser: a deep link, answered with the index');
      assert.doesNotMatch(r.body, /root:/);
    }
    assert.equal((await httpGet(ui.port, '/..%2f..%2f..%2fetc%2fpasswd', { Cookie: cookie })).status, 404, 'no way out of the web root');
    assert.equal((await httpGet(ui.port, '/', { Cookie: cookie }, 'POST')).status, 405);

    const rebinding = await httpGet(ui.port, `/?token=${ui.token}`, { Host: `evil.example:${ui.port}` });
    assert.equal(rebinding.status, 403, 'a DNS-rebound Host is refused even with the token');
    assert.doesNotMatch(rebinding.body, /ecflow-remote test UI/);
    assert.equal((await httpGet(ui.port, '/', { Host: `localhost:${ui.port}`, Cookie: cookie })).status, 200, 'localhost:<port> is fine');
  });

  test('WebSocket: no token, wrong token, foreign Origin or wrong Host refused; token + right Origin welcomed', async () => {
    const noToken = await tryWebSocket(`ws://127.0.0.1:${ui.port}/ws`, { Origin: origin() });
    assert.deepEqual(noToken, { status: 403 });
    const wrongToken = await tryWebSocket(wsUrl('x'.repeat(43)), { Origin: origin() });
    assert.deepEqual(wrongToken, { status: 403 });
    const foreign = await tryWebSocket(wsUrl(), { Origin: 'http://evil.example' });
    assert.deepEqual(foreign, { status: 403 }, 'cross-site sockets are refused even with the token');
    const noOrigin = await tryWebSocket(wsUrl(), {});
    assert.deepEqual(noOrigin, { status: 403 });
    const badHost = await tryWebSocket(wsUrl(), { Origin: origin(), Host: `evil.example:${ui.port}` });
    assert.deepEqual(badHost, { status: 403 });
    const viaCookie = await tryWebSocket(`ws://127.0.0.1:${ui.port}/ws`, { Origin: `http://localhost:${ui.port}`, Host: `localhost:${ui.port}`, Cookie: `ecflow_remote_${ui.port}=${ui.token}` });
    assert.ok('ws' in viaCookie, 'the cookie opens the socket too');
    viaCookie.ws.close();

    const ws = await connect();
    const welcome = ws.messages[0]!;
    assert.equal(welcome.type, 'welcome');
    if (welcome.type !== 'welcome') return;
    assert.equal(welcome.version, 1);
    assert.deepEqual(welcome.servers.map((s) => s.name), ['test', 'ro']);
    assert.equal(welcome.servers[1]!.readOnly, true);
    assert.ok(logs.some((l) => /refused a WebSocket: Origin/.test(l)));
    assert.ok(logs.every((l) => !l.includes(ui.token)), 'the token is never logged');
  });

  test('subscribe: the snapshot decodes to the counts of a full sync (treeSummary)', async () => {
    const ws = await connect();
    ws.send({ type: 'hello', version: 1 });
    ws.send({ type: 'subscribe', server: 'test' });
    const snap = await ws.waitFor(isSnapshot('test'));
    const got = summaryOfColumns(snap.columns);
    const want = await fullSummary(client);
    assert.equal(got.total, want.total);
    assert.deepEqual(got.kinds, want.kinds);
    assert.deepEqual(got.states, want.states);
    assert.equal(got.suspended, want.suspended);
    const paths = snapshotPaths(snap.columns);
    assert.deepEqual(paths.slice(0, 4), ['/s1', '/s1/f1', '/s1/f1/t1', '/s1/f1/t2']);
    assert.equal(snap.info.version.split('.')[0], '5');
    // attribute rows: t1 has label, meter, event (+ its variable TV after them)
    const t1 = paths.indexOf('/s1/f1/t1');
    const counts = new Map<number, number>();
    for (let i = 0; i < snap.columns.attributeCounts.length; i += 2) counts.set(snap.columns.attributeCounts[i]!, snap.columns.attributeCounts[i + 1]!);
    assert.equal(counts.get(t1), 3);
    const attrs = await ws.request({ what: 'attributes', server: 'test', epoch: snap.epoch, nodes: [t1, paths.indexOf('/s1/f1/t2'), paths.indexOf('/s1')] });
    assert.ok(attrs.ok, JSON.stringify(attrs));
    if (!attrs.ok) return;
    const rows = attrs.data.nodes.find((n) => n.index === t1)!.attributes;
    assert.deepEqual(rows.map((r) => r.kind), ['label', 'meter', 'event', 'variable']);
    const t2rows = attrs.data.nodes.find((n) => n.index === paths.indexOf('/s1/f1/t2'))!.attributes;
    assert.deepEqual(t2rows.map((r) => r.kind), ['trigger', 'inlimit']);
    assert.equal(t2rows[0]!.kind === 'trigger' && t2rows[0]!.holding, true);
    const stale = await ws.request({ what: 'attributes', server: 'test', epoch: snap.epoch + 5, nodes: [t1] });
    assert.equal(!stale.ok && stale.error.code, 'STALE_EPOCH');
  });

  test('a change on the server reaches the browser as a delta within 2 s', async () => {
    const ws = await connect();
    ws.send({ type: 'subscribe', server: 'test' });
    const snap = await ws.waitFor(isSnapshot('test'));
    const paths = snapshotPaths(snap.columns);
    const figures: number[] = [];
    const targets = ['/s1/f2/a', '/s1/f2/b', '/s2/x', '/s1/f1/t3'];
    for (const [k, path] of targets.entries()) {
      // at different points of the poll period
      await new Promise((r) => setTimeout(r, 350 * k + 100));
      const index = paths.indexOf(path);
      const from = ws.messages.length;
      const t0 = performance.now();
      await client.request({ cmd: 'ForceCmd', paths: [path], stateOrEvent: 'aborted' });
      const delta = await ws.waitFor(
        (m): m is Delta => {
          if (m.type !== 'delta' || m.server !== 'test') return false;
          for (let i = 0; i < m.nodes.length; i += 3) {
            if (m.nodes[i] === index && decodeStateChar(m.nodes[i + 1]!).nstate === NState.ABORTED) return true;
          }
          return false;
        },
        5000,
        from,
      );
      const ms = performance.now() - t0;
      figures.push(ms);
      assert.equal(delta.epoch, snap.epoch, 'a state change keeps the epoch');
    }
    console.log(`# change-to-browser latency (force aborted -> delta), ms: ${figures.map((f) => f.toFixed(0)).join(', ')}; max ${Math.max(...figures).toFixed(0)}`);
    for (const f of figures) assert.ok(f < 2000, `latency ${f.toFixed(0)} ms`);
    // seq grows by one per delta
    const seqs = ws.messages.filter((m): m is Delta => m.type === 'delta' && m.server === 'test').map((m) => m.seq);
    for (let i = 1; i < seqs.length; i++) assert.equal(seqs[i], seqs[i - 1]! + 1);
    assert.equal(seqs[0], snap.seq + 1);
  });

  test('actions: suspend changes the server; an error comes back with the server text verbatim', async () => {
    const ws = await connect();
    ws.send({ type: 'subscribe', server: 'test' });
    const snap = await ws.waitFor(isSnapshot('test'));
    const paths = snapshotPaths(snap.columns);
    const from = ws.messages.length;
    const r = await ws.request({ what: 'action', server: 'test', action: 'suspend', paths: ['/s1/f1/t1', '/s1/f1/t3'] });
    assert.ok(r.ok, JSON.stringify(r));
    if (r.ok) assert.deepEqual(r.data.commands, ['--suspend /s1/f1/t1 /s1/f1/t3']);
    const summary = await fullSummary(client);
    assert.ok(summary.suspended >= 2, 'the server has the nodes suspended');
    const t1 = paths.indexOf('/s1/f1/t1');
    await ws.waitFor((m) => m.type === 'delta' && m.nodes.some((v, i) => i % 3 === 0 && v === t1 && decodeStateChar(m.nodes[i + 1]!).suspended), 3000, from);

    const bad = await ws.request({ what: 'action', server: 'test', action: 'resume', paths: ['/s1/no_such_node'] });
    assert.equal(bad.ok, false);
    if (bad.ok) return;
    let direct = '';
    try {
      await client.request({ cmd: 'PathsCmd', api: PathsApi.RESUME, paths: ['/s1/no_such_node'] });
    } catch (e) {
      direct = (e as { serverMessage: string }).serverMessage;
    }
    assert.ok(direct !== '', 'the server refuses it');
    assert.equal(bad.error.code, 'SERVER');
    assert.equal(bad.error.serverMessage, direct, "the server's text, verbatim");

    const admin = await ws.request({ what: 'action', server: 'test', action: 'server-halt', paths: [] });
    assert.equal(!admin.ok && admin.error.code, 'ADMIN_REQUIRED');
    const resumed = await ws.request({ what: 'action', server: 'test', action: 'resume', paths: ['/s1/f1/t1', '/s1/f1/t3'] });
    assert.ok(resumed.ok);
    const variable = await ws.request({ what: 'action', server: 'test', action: 'variable-change', paths: ['/s1/f1/t2'], args: { name: 'V1', value: 'local copy' } });
    assert.ok(variable.ok, JSON.stringify(variable));
    if (variable.ok) assert.match(variable.data.commands[0]!, /add variable/, 'an inherited variable becomes a local copy');
    const vars = await ws.request({ what: 'variables', server: 'test', path: '/s1/f1/t2' });
    assert.ok(vars.ok);
    if (vars.ok) {
      const [own, , suite] = vars.data.sections;
      assert.deepEqual(own!.variables.find((v) => v.name === 'V1'), { name: 'V1', value: 'local copy' });
      assert.equal(suite!.variables.find((v) => v.name === 'V1')?.shadowed, true);
      assert.ok(own!.variables.some((v) => v.name === 'ECF_JOBOUT' && v.generated === true));
    }
  });

  test('a read-only server refuses every action and sends nothing', async () => {
    const ws = await connect();
    const before = await fullSummary(client);
    const r = await ws.request({ what: 'action', server: 'ro', action: 'suspend', paths: ['/s2'] });
    assert.equal(r.ok, false);
    if (!r.ok) assert.equal(r.error.code, 'READ_ONLY');
    assert.equal((await fullSummary(client)).suspended, before.suspended);
    const info = await ws.request({ what: 'info', server: 'ro', path: '/s2/x' });
    assert.ok(info.ok, 'reading is fine');
  });

  test('requests: info, why, triggers, file, edit-history, server-log, zombies, output', async () => {
    const ws = await connect();
    const info = await ws.request({ what: 'info', server: 'test', path: '/s1/f1/t2' });
    assert.ok(info.ok);
    if (info.ok) {
      assert.equal(info.data.kind, 'task');
      assert.equal(info.data.defStatus, 'queued');
      assert.match(info.data.jobOutput ?? '', /\/s1\/f1\/t2\.0$/);
    }
    const server = await ws.request({ what: 'info', server: 'test', path: '' });
    assert.ok(server.ok);
    if (server.ok) {
      assert.equal(server.data.kind, 'server');
      assert.match(server.data.statsText ?? '', /ECF_HOME|Version|version/i);
      assert.ok((server.data.variables ?? []).some((v) => v.name === 'ECF_PORT'));
    }
    const why = await ws.request({ what: 'why', server: 'test', path: '/s1/f1/t2' });
    assert.ok(why.ok);
    if (why.ok) assert.ok(why.data.lines.some((l) => /not\* RUNNING/.test(l)), why.data.lines.join('\n'));
    const trig = await ws.request({ what: 'triggers', server: 'test', path: '/s1/f1/t1' });
    assert.ok(trig.ok);
    if (trig.ok) assert.deepEqual(trig.data.triggeredBy.map((d) => d.node), ['/s1/f1/t2']);
    const script = await ws.request({ what: 'file', server: 'test', path: '/s1/f1/t1', file: 'script' });
    assert.equal(script.ok, false, 'no script in ECF_HOME');
    if (!script.ok) assert.ok((script.error.serverMessage ?? '').length > 0);
    const history = await ws.request({ what: 'edit-history', server: 'test', path: '/s1/f1/t1' });
    assert.ok(history.ok);
    const log = await ws.request({ what: 'server-log', server: 'test', lines: 20 });
    assert.ok(log.ok);
    if (log.ok) assert.match(log.data.text, /--/);
    const zombies = await ws.request({ what: 'zombies', server: 'test' });
    assert.ok(zombies.ok);
    if (zombies.ok) assert.deepEqual(zombies.data, []);
    const output = await ws.request({ what: 'output', server: 'test', path: '/s1/f1/t1' });
    assert.equal(output.ok, false, 'never submitted: no output');
    const unknown = await ws.request({ what: 'info', server: 'nope', path: '' });
    assert.equal(!unknown.ok && unknown.error.code, 'UNKNOWN_SERVER');
    const noNode = await ws.request({ what: 'info', server: 'test', path: '/s9' });
    assert.equal(!noNode.ok && noNode.error.code, 'UNKNOWN_NODE');
    const routes = await ws.request({ what: 'routes' });
    assert.ok(routes.ok);
  });

  test('server-save with a password: a 0600 file, and the password appears nowhere', async () => {
    const ws = await connect();
    const secret = 'Sup3rSecret-pw';
    const r = await ws.request({
      what: 'server-save',
      server: { name: 'added', host: srv.host, port: srv.port, ssl: false, favourite: true, readOnly: false, customUser: 'someone', password: secret },
    });
    assert.ok(r.ok, JSON.stringify(r));
    if (!r.ok) return;
    assert.equal(r.data.hasPassword, true);
    const pwFile = join(dir, 'passwords', 'added.passwd');
    assert.equal((await stat(pwFile)).mode & 0o777, 0o600);
    assert.match(await readFile(pwFile, 'utf8'), new RegExp(`someone ${srv.host} ${srv.port} ${secret}`));
    const config = await readFile(configPath, 'utf8');
    assert.match(config, /\[servers\.added\]/);
    assert.ok(!config.includes(secret));
    await ws.waitFor((m) => m.type === 'servers' && m.servers.some((s) => s.name === 'added'));
    // rename keeps it, duplicate name refused
    const renamed = await ws.request({
      what: 'server-save',
      previousName: 'added',
      server: { name: 'added2', host: srv.host, port: srv.port, ssl: false, favourite: false, readOnly: true, customUser: 'someone' },
    });
    assert.ok(renamed.ok, JSON.stringify(renamed));
    const dup = await ws.request({ what: 'server-save', server: { name: 'test', host: 'h', port: 1, ssl: false, favourite: false, readOnly: false } });
    assert.equal(dup.ok, false);
    const removed = await ws.request({ what: 'server-remove', name: 'added2' });
    assert.ok(removed.ok);
    const all = ws.raw.join('\n') + logs.join('\n');
    assert.ok(!all.includes(secret), 'the password is in no message and no log line');
  });

  test('import servers.txt: new ones added, duplicates and HTTP servers skipped', async () => {
    const ws = await connect();
    const file = join(dir, 'servers.txt');
    await writeFile(
      file,
      [
        '# Name, Host, Port, Favourite, System, Protocol, User',
        `dup_of_test,${srv.host},${srv.port},0,0,0,`,
        'new one,machine1,4141,1,0,1,ops',
        'plain,machine2,3141',
        'web,machine3,8080,0,0,2,',
        'test,machine4,5000,0,0,0,',
        '',
      ].join('\n'),
    );
    const r = await ws.request({ what: 'servers-import', file });
    assert.ok(r.ok, JSON.stringify(r));
    if (!r.ok) return;
    assert.deepEqual(r.data.added, ['new_one', 'plain']);
    assert.equal(r.data.duplicates, 2);
    assert.equal(r.data.skipped.length, 3);
    const config = await loadConfig({ path: configPath, env: {} });
    assert.equal(config.servers['new_one']?.ssl, true);
    assert.equal(config.servers['new_one']?.customUser, 'ops');
    assert.equal(config.servers['new_one']?.favourite, true);
    for (const name of r.data.added) assert.ok((await ws.request({ what: 'server-remove', name })).ok);
  });

  test('server restart: a new snapshot epoch with the same paths', async () => {
    const ws = await connect();
    ws.send({ type: 'subscribe', server: 'test' });
    const first = await ws.waitFor(isSnapshot('test'));
    const port = srv.port;
    await srv.stop();
    await ws.waitFor((m) => m.type === 'health' && m.server === 'test' && m.health.state === 'reconnecting', 10_000);
    srv = await startEcflowServer({ port, defs: DEFS });
    const t0 = performance.now();
    const next = await ws.waitFor(isSnapshot('test', first.epoch + 1), 20_000);
    console.log(`# server restart -> new snapshot in ${(performance.now() - t0).toFixed(0)} ms (epoch ${first.epoch} -> ${next.epoch})`);
    assert.deepEqual(snapshotPaths(next.columns), snapshotPaths(first.columns));
    await ws.waitFor((m) => m.type === 'health' && m.server === 'test' && m.health.state === 'connected', 10_000);
    client = new EcflowClient({ host: srv.host, port: srv.port, env: {} });
  });
});

/** Time to carry one text message over a localhost WebSocket, with or without permessage-deflate. */
async function sendOverWebSocket(text: string, compress: boolean): Promise<number> {
  const wss = new WebSocketServer({ host: '127.0.0.1', port: 0, perMessageDeflate: compress });
  await new Promise<void>((r) => wss.once('listening', () => r()));
  const port = (wss.address() as { port: number }).port;
  const client = new WebSocket(`ws://127.0.0.1:${port}`, { perMessageDeflate: compress, maxPayload: 0 });
  const server = await new Promise<WebSocket>((r) => wss.once('connection', r));
  await new Promise<void>((r) => (client.readyState === client.OPEN ? r() : client.once('open', () => r())));
  const t0 = performance.now();
  const got = new Promise<number>((r) => client.once('message', (data) => r((data as Buffer).length)));
  server.send(text);
  const length = await got;
  const ms = performance.now() - t0;
  assert.equal(length, Buffer.byteLength(text));
  client.close();
  wss.close();
  return ms;
}

test('1M-node snapshot: build time and size (printed, not asserted)', async () => {
  const text = generateSuiteDefs({ suites: 10, tasks: 1_000_000, familySize: 100, withState: true });
  const t0 = performance.now();
  const { defs } = parseDefs(text);
  const parseMs = performance.now() - t0;
  const t1 = performance.now();
  const table = buildNodeTable(defs, 1);
  const tableMs = performance.now() - t1;
  const t2 = performance.now();
  const columns = snapshotColumns(table);
  const message = JSON.stringify({ type: 'snapshot', server: 'big', epoch: 1, seq: 0, info: {}, columns });
  const encodeMs = performance.now() - t2;
  const bytes = Buffer.byteLength(message);
  const t3 = performance.now();
  const deflated = deflateRawSync(Buffer.from(message), { level: 1 }).length;
  const deflateMs = performance.now() - t3;
  const t4 = performance.now();
  const again = JSON.stringify({ type: 'snapshot', server: 'big', epoch: 1, seq: 0, info: {}, columns: snapshotColumns(table) });
  const resendMs = performance.now() - t4;
  assert.equal(table.size, treeSummary(defs).total);
  assert.equal(again.length, message.length);
  const wire: string[] = [];
  for (const compress of [false, true]) wire.push(`${compress ? 'permessage-deflate' : 'plain'} ${(await sendOverWebSocket(message, compress)).toFixed(0)} ms`);
  console.log(`# 1M-node snapshot over a localhost WebSocket (send -> received): ${wire.join('; ')}`);
  console.log(
    `# 1M-node snapshot: ${table.size} nodes; parse ${parseMs.toFixed(0)} ms; node table ${tableMs.toFixed(0)} ms; ` +
      `columns+JSON ${encodeMs.toFixed(0)} ms; ${(bytes / 1e6).toFixed(1)} MB; re-snapshot ${resendMs.toFixed(0)} ms; ` +
      `deflate(level 1) ${(deflated / 1e6).toFixed(1)} MB in ${deflateMs.toFixed(0)} ms`,
  );
});
