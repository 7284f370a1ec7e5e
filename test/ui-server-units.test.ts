/**
 * The pure parts of the local UI server, without any server: the node table (pre-order columns,
 * Node -> index, structure checks), attribute rows vs their counts, the action -> command mapping
 * (every UiAction), servers.txt parsing and import, variables and shadowing, the token gate helpers.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { Family, Task, type Node } from '../src/model/node.js';
import { treeSummary } from '../src/model/summary.js';
import type { EcflowClient } from '../src/client/ecflow-client.js';
import { News, validateCommand, type UserCommand } from '../src/protocol/commands.js';
import { LiveServer } from '../src/server/live-server.js';
import type { Zombie } from '../src/protocol/replies.js';
import { parseDefs } from '../src/protocol/defs-parser.js';
import { sameToken, securityHeaders } from '../src/server/http-security.js';
import { attributeRowCount, buildNodeTable, childrenMatch, indexOfNode, snapshotColumns, suitesMatch } from '../src/server/node-table.js';
import { parseServersTxt } from '../src/server/servers-import.js';
import { actionCommands } from '../src/server/ui-actions.js';
import { nodeAttributes } from '../src/server/ui-attributes.js';
import { UiRefusal } from '../src/server/ui-errors.js';
import { UiActions, type UiAction, type UiActionArgs } from '../src/server/ui-protocol.js';
import { importServers } from '../src/server/ui-servers.js';
import { variablesOf } from '../src/server/ui-variables.js';
import { emptyConfig } from '../src/config/config.js';

const RICH = `suite s
  clock real 1.1.2026
  edit SV 'suite'
  limit lim 4
  autocancel +01:00
  family f
    edit SV 'family'
    repeat integer R 1 5
    task t
      label l "x"
      meter m 0 10 5
      event 1 go
      event 2
      trigger ../g == complete and ../g/u:ev
      complete t2 == complete
      time 10:00
      today 11:00
      date 1.*.*
      day monday
      cron 23:00
      late -s +00:15 -a 20:00
      inlimit /s:lim
      zombie user:fob::3600
      queue q a b c
      generic gk v
      edit ECF_JOBOUT '/tmp/out'
    task t2
  endfamily
  family g
    task u
      event ev
  endfamily
endsuite
suite s2
  task z
endsuite
`;

function defsOf(text: string) {
  const { defs, warnings } = parseDefs(text);
  assert.deepEqual(warnings, []);
  return defs;
}

test('node table: pre-order columns, Node -> index, sparse columns', () => {
  const defs = defsOf(RICH);
  const table = buildNodeTable(defs, 7);
  const order: Node[] = [];
  defs.forEachNode((n) => {
    order.push(n);
  });
  assert.equal(table.size, order.length);
  assert.equal(table.size, treeSummary(defs).total);
  order.forEach((n, i) => {
    assert.equal(table.nodes[i], n);
    assert.equal(indexOfNode(table, n), i);
  });
  const c = snapshotColumns(table);
  assert.equal(c.names, order.map((n) => n.name).join('\n'));
  assert.equal(c.kinds, 'sfttfts' + 't');
  assert.equal(c.depths, '01221201');
  const counts = new Map<number, number>();
  for (let i = 0; i < c.attributeCounts.length; i += 2) counts.set(c.attributeCounts[i]!, c.attributeCounts[i + 1]!);
  for (const [i, n] of order.entries()) {
    const rows = nodeAttributes(defs, n);
    assert.equal(rows.filter((r) => r.kind !== 'variable').length, attributeRowCount(n), `rows of ${n.path}`);
    assert.equal(counts.get(i) ?? 0, attributeRowCount(n));
    assert.equal(rows.slice(attributeRowCount(n)).every((r) => r.kind === 'variable'), true);
  }
  const t = defs.findNode('/s/f/t')!;
  const kinds = nodeAttributes(defs, t).map((r) => r.kind);
  assert.deepEqual(kinds, ['label', 'meter', 'event', 'event', 'trigger', 'complete', 'time', 'today', 'date', 'day', 'cron', 'inlimit', 'late', 'queue', 'generic', 'zombie', 'variable']);
  assert.deepEqual(nodeAttributes(defs, defs.findNode('/s')!).map((r) => r.kind), ['limit', 'autocancel', 'clock', 'variable']);
});

test('node table: structure checks (new children, re-order, removal), big containers', () => {
  const kids = Array.from({ length: 200 }, (_, i) => `  task t${i}\n`).join('');
  const defs = defsOf(`suite big\n  family f\n${kids}  endfamily\nendsuite\nsuite other\nendsuite\n`);
  const table = buildNodeTable(defs, 1);
  const f = defs.findNode('/big/f') as Family;
  assert.equal(indexOfNode(table, defs.findNode('/big/f/t199')!), 201);
  assert.equal(indexOfNode(table, defs.findNode('/big/f/t0')!), 2);
  assert.ok(table.childIndex.has(1), 'a big family got its own index');
  assert.ok(childrenMatch(table, 1, f));
  assert.ok(suitesMatch(table, defs));
  f.setChildren([...f.children].reverse() as Node[]);
  assert.equal(childrenMatch(table, 1, f), false, 're-ordered');
  f.setChildren([...f.children].reverse() as Node[]);
  assert.ok(childrenMatch(table, 1, f));
  const stranger = new Task('t5');
  assert.equal(indexOfNode(table, stranger), undefined);
  f.removeChild(f.children[3]!);
  assert.equal(childrenMatch(table, 1, f), false, 'removed');
  defs.setSuites([...defs.suites].reverse());
  assert.equal(suitesMatch(table, defs), false);
});

const ZOMBIES: Zombie[] = [
  {
    userAction: 0, tryNo: 1, duration: 10, calls: 2, zombieType: 1, lastChildCmd: 0, pathToTask: '/s/f/t', jobsPassword: 'pw1',
    processOrRemoteId: '123', userCmd: '', host: 'h', attr: { childCmds: [], zombieType: 1, action: 0, zombieLifetime: 3600 }, userActionSet: false,
  },
];

const ARGS: Partial<Record<UiAction, UiActionArgs>> = {
  'free-deps': { kind: 'all' },
  defstatus: { kind: 'complete' },
  force: { kind: 'complete', admin: true },
  'set-event': { name: 'go' },
  'clear-event': { name: 'go' },
  'reset-limit': { name: 'lim' },
  order: { kind: 'top' },
  'add-label': { name: 'note', value: 'hello world' },
  'clear-flag': { name: 'late' },
  'variable-add': { name: 'NEW', value: '1' },
  'variable-change': { name: 'SV', value: '2' },
  'variable-delete': { name: 'SV' },
  'server-restart': { admin: true },
  'server-halt': { admin: true },
  'server-shutdown': { admin: true },
  'server-checkpoint': { admin: true },
};

test('every UiAction maps to valid ecFlow commands (one command for a multi-selection)', async () => {
  const defs = defsOf(RICH);
  const ctx = { defs, zombies: async () => ZOMBIES };
  const described: Record<string, string[]> = {};
  for (const action of UiActions) {
    const paths = action.startsWith('zombie-') ? ['/s/f/t'] : ['/s/f/t', '/s/f/t2'];
    const cmds: UserCommand[] = await actionCommands(action, paths, ARGS[action] ?? {}, ctx);
    assert.ok(cmds.length > 0, action);
    for (const cmd of cmds) validateCommand(cmd);
    described[action] = cmds.map((c) => c.cmd);
  }
  assert.deepEqual(described['requeue'], ['RequeueNodeCmd']);
  assert.deepEqual(described['order'], ['OrderNodeCmd', 'OrderNodeCmd']);
  assert.deepEqual(described['begin'], ['BeginCmd']);
  assert.deepEqual(described['zombie-fob'], ['ZombieCmd']);
  // variable-change on a node that has it and one that inherits it: change + add
  const vc = await actionCommands('variable-change', ['/s/f', '/s/f/t2'], { name: 'SV', value: 'v' }, ctx);
  assert.deepEqual(vc.map((c) => (c.cmd === 'AlterCmd' ? [c.paths, c.changeAttrType !== undefined, c.addAttrType !== undefined] : [])), [
    [['/s/f'], true, false],
    [['/s/f/t2'], false, true],
  ]);
  const z = await actionCommands('zombie-kill', ['/s/f/t'], {}, ctx);
  assert.deepEqual(z, [{ cmd: 'ZombieCmd', userAction: 5, processId: '123', password: 'pw1', paths: ['/s/f/t'] }]);
  await assert.rejects(actionCommands('server-halt', [], {}, ctx), (e) => e instanceof UiRefusal && e.code === 'ADMIN_REQUIRED');
  await assert.rejects(actionCommands('force', ['/s'], { kind: 'complete' }, ctx), (e) => e instanceof UiRefusal && e.code === 'ADMIN_REQUIRED');
  await assert.rejects(actionCommands('suspend', ['/'], {}, ctx), (e) => e instanceof UiRefusal && e.code === 'BAD_REQUEST');
  await assert.rejects(actionCommands('suspend', ['s/f'], {}, ctx), (e) => e instanceof UiRefusal && e.code === 'BAD_REQUEST');
  await assert.rejects(actionCommands('zombie-fob', ['/s/f/t2'], {}, ctx), (e) => e instanceof UiRefusal && e.code === 'UNKNOWN_NODE');
  const serverVar = await actionCommands('variable-add', [''], { name: 'X', value: 'y' }, ctx);
  assert.deepEqual(serverVar[0]?.cmd === 'AlterCmd' && serverVar[0].paths, ['/']);
});

test('variables: sections from the node to the server, generated and shadowed marks', () => {
  const defs = defsOf(RICH);
  const v = variablesOf(defs, defs.findNode('/s/f/t'));
  assert.deepEqual(v.sections.map((s) => s.path), ['/s/f/t', '/s/f', '/s', '']);
  const [t, f, s] = v.sections;
  const jobout = t!.variables.filter((x) => x.name === 'ECF_JOBOUT');
  assert.deepEqual(jobout.map((x) => [x.generated === true, x.shadowed === true]), [[false, false], [true, true]], 'the user variable hides the generated one');
  assert.equal(t!.variables.find((x) => x.name === 'TASK')?.value, 't');
  assert.deepEqual(f!.variables.find((x) => x.name === 'SV'), { name: 'SV', value: 'family' });
  assert.deepEqual(s!.variables.find((x) => x.name === 'SV'), { name: 'SV', value: 'suite', shadowed: true });
  assert.equal(f!.variables.find((x) => x.name === 'R')?.value, '1');
  assert.equal(f!.variables.find((x) => x.name === 'FAMILY')?.value, 'f');
});

test('servers.txt: ecflow_ui 5.9 and 5.14+ forms, legacy blank-separated lines, bad lines reported', () => {
  const parsed = parseServersTxt(
    [
      '#Name Host Port Favourite System Ssl user',
      'op,machine1,4141,1,0,1,ops',
      'My Server,machine2,3141,0,0,0,',
      'legacy machine3 3142',
      'web,machine4,80,0,0,3,',
      'bad port,machine5,99999',
      'broken',
      '',
    ].join('\n'),
  );
  assert.deepEqual(
    parsed.servers.map((s) => ({ ...s })),
    [
      { line: 2, name: 'op', host: 'machine1', port: 4141, favourite: true, ssl: true, customUser: 'ops' },
      { line: 3, name: 'My_Server', originalName: 'My Server', host: 'machine2', port: 3141, favourite: false, ssl: false },
      { line: 4, name: 'legacy', host: 'machine3', port: 3142, favourite: false, ssl: false },
    ],
  );
  assert.deepEqual(parsed.skipped.map((s) => s.line), [5, 6, 7]);
  const config = emptyConfig();
  const first = importServers(config, parsed.servers);
  assert.deepEqual(first.added, ['op', 'My_Server', 'legacy']);
  const again = importServers(first.config, parsed.servers);
  assert.deepEqual(again.added, []);
  assert.equal(again.duplicates, 3);
});

test('token gate helpers: constant-time compare of any lengths; CSP', () => {
  assert.equal(sameToken('abc', 'abc'), true);
  assert.equal(sameToken('abd', 'abc'), false);
  assert.equal(sameToken('abcd', 'abc'), false);
  assert.equal(sameToken('', 'abc'), false);
  assert.equal(sameToken(undefined, 'abc'), false);
  const h = securityHeaders(8080);
  assert.match(h['Content-Security-Policy']!, /default-src 'self'/);
  assert.match(h['Content-Security-Policy']!, /connect-src 'self' ws:\/\/127\.0\.0\.1:8080 ws:\/\/localhost:8080/);
});

/** A stand-in for EcflowClient that answers NEWS with "nothing new" and counts them. */
function fakeClient(text: string): { client: EcflowClient; news: number[] } {
  const news: number[] = [];
  const fake = {
    address: 'fake:3141',
    serverVersion: async () => '5.9.2',
    syncFull: async () => ({ reply: 'SSyncCmd', fullDefs: true, defs: text, serverDefs: '', compounds: [], stateChangeNo: 0, modifyChangeNo: 0 }),
    news: async () => {
      news.push(Date.now());
      return News.NO_NEWS;
    },
    request: async () => ({ reply: 'StcCmd', api: 1 }),
  };
  return { client: fake as unknown as EcflowClient, news };
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

test('polling: never two NEWS within a second; idle slows down to the maximum; activity brings it back', async () => {
  const { client, news } = fakeClient('suite s\n  task t\nendsuite\n');
  const live = new LiveServer({
    name: 'fake',
    config: { name: 'fake', host: 'fake', port: 3141, ssl: false, favourite: false, readOnly: false },
    client,
    poll: { minMs: 50, maxMs: 400, idleAfterMs: 300, factor: 2, minNewsGapMs: 250 },
  });
  const sub = { sent: [] as string[], congested: false, send(t: string) { this.sent.push(t); } };
  live.start();
  live.subscribe(sub);
  for (let i = 0; i < 10; i++) live.touch(); // a burst of user activity asks for polls
  await sleep(1300);
  const gaps = news.slice(1).map((t, i) => t - news[i]!);
  assert.ok(news.length >= 3, `polled ${news.length} times`);
  assert.ok(gaps.every((g) => g >= 245), `gaps between NEWS: ${gaps.join(', ')}`);
  assert.equal(live.pollPeriodMs, 400, 'quiet for longer than idleAfterMs: the period grew to the maximum');
  live.touch();
  assert.equal(live.pollPeriodMs, 50, 'user activity: back to the minimum');
  assert.ok(sub.sent.some((t) => t.startsWith('{"type":"snapshot"')), 'the subscriber got its snapshot');
  live.unsubscribe(sub);
  await sleep(700);
  assert.equal(live.pollPeriodMs, 400, 'nobody watching: the slowest period');
  await live.stop();
});
