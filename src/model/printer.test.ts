// Printer tests: attribute lines and state comments, externs, and the exact output of the real
// ecflow_client 5.9.2 (`--get` and, without generated variables and trigger trees, `--get_state`)
// for defs with every attribute kind, after begin and a few alters.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { parseDefs, parseNodeText } from '../protocol/defs-parser.js';
import { printDefs, printNode } from './printer.js';
import { autoExterns } from './externs.js';
import { Defs } from './defs.js';
import { startEcflowServer, ECFLOW_SERVER_BIN } from '../../test/helpers/ecflow-server.js';
import { freePort } from '../../test/helpers/ports.js';

const KS = `suite ks
  edit ECF_HOME '/home/ops/ecf_home'
  edit QUOTED 'it''s "quoted"'
  limit lim 10
  limit lim2 5
  autocancel +01:00
  clock hybrid 1.1.2024 +3600
  endclock 31.12.2030
  family f
    repeat date YMD 20240101 20241231 7
    inlimit lim
    inlimit -n lim2 2
    inlimit -s /ks:lim2
    autoarchive +00:30
    task t
      late -s +00:15 -a 20:00 -c +02:00
      complete t2 == complete
      trigger t2 == aborted or (/ks/f/t:ev3 and 1 == 1)
      edit V 'v'
      label l1 "first label"
      meter m 0 100 50
      event 1 ev
      event 2
      event ev3 set
      time 10:00
      time 10:00 20:00 00:30
      time +00:10
      today 12:00
      date 1.*.*
      day monday
      cron -w 0,2,1L -d 1,15,L -m 1,6 10:00 20:00 01:00
      cron 23:00
      zombie user:fob:init,complete:3600
      zombie ecf:fail::3600
      verify complete:3
      queue q1 a b c
      generic gkey v1 v2
    task t2
      repeat enumerated E "a" "b" "c"
    task t3
      repeat string S "x" "y" "z"
    task t4
      repeat datelist DL "20240101" "20240301" "20240501"
    task t5
      repeat day 2
    task t6
      repeat integer I 0 10 2
      autorestore /ks/f
  endfamily
endsuite
`;

const RICH = `extern /other/suite/task
extern /rich/f2/t3:nosuchvar
extern /nosuch:LX
suite rich
  edit SPACES 'a  b   c'
  limit L1 5
  family f1
    inlimit L1
    inlimit /rich:L1 2
    inlimit /nosuch:LX
    task t1
      trigger /other/suite/task == complete and ../f2/t3:ev1 and /rich/f2/t3:nosuchvar == 1
      complete t2 == complete or t2<flag>late
      label lab "multi word label"
      meter m 0 10 5
      event 1
      event 3 e3
      event ev set
      today +00:30
      cron -d 1,L 23:00
      day sunday
      late -a 01:00 -c 02:00
      autocancel 3
    task t2
      repeat integer I 1 100
      defstatus suspended
  endfamily
  family f2
    autoarchive 2 -i
    task t3
      event ev1
      meter m1 -5 5 0
      repeat date D 20200101 20200110
  endfamily
endsuite
`;

test('attribute lines, state comments and DEFS indentation', () => {
  const { defs, warnings } = parseDefs(
    '#5.9.2\ndefs_state NET state>:active flag:message state_change:9 modify_change:2 server_state:HALTED cal_count:3\n' +
      "edit U 'u'\nedit ECF_PORT '1' # server\n" +
      'suite s # begun:1 state:active\nclock hybrid\n' +
      'task t # alias_no:2 passwd:pw rid:77 abort<:a;b\\nc>abort try:2 state:aborted dur:01:00:00 flag:task_aborted suspended:1 rt:00:00:05\n' +
      'label l "x" # "y\\nz"\nevent 2 \nmeter m 0 9 # 4\nalias a0 # state:complete\nendalias\nendsuite\n',
  );
  assert.deepEqual(warnings, []);
  assert.equal(
    printDefs(defs, 'DEFS'),
    '#5.9.2\nsuite s\n  clock hybrid \n  task t\n    label l "x"\n    meter m 0 9 9\n    event 2 \nendsuite\n# enddef\n',
  );
  const state = printDefs(defs, 'STATE');
  assert.ok(state.startsWith('#5.9.2\ndefs_state STATE state>:active flag:message state_change:9 modify_change:2 server_state:HALTED cal_count:3\n'));
  assert.ok(state.includes("\n  edit U 'u'\n  edit ECF_PORT '1' # server\n# server state: HALTED\nsuite s # begun:1 state:active\n"));
  assert.ok(state.includes('  task t # alias_no:2 passwd:pw rid:77 abort<:a b\\nc>abort try:2 state:aborted dur:01:00:00 flag:task_aborted suspended:1 rt:00:00:05\n'));
  assert.ok(state.includes('    label l "x" # "y\\nz"\n    meter m 0 9 9 # 4\n    event 2 \n      alias a0 # state:complete\n      endalias\n'));
  // one node, SNodeCmd style: a family/task at level 1 in 5.9.2
  const t = defs.findNode('/s/t')!;
  assert.ok(printNode(t, 'STATE').startsWith('  task t # alias_no:2'));
  assert.ok(printNode(defs.findNode('/s')!, 'NET').startsWith('suite s # begun:1 state:active\nclock hybrid \ntask t'));
  assert.equal(parseNodeText(printNode(t, 'MIGRATE')).node?.labels[0]?.newValue, 'y\nz');
});

test('externs: unresolved trigger references, attribute names, inlimits (sorted, like ecflow_client)', () => {
  const { defs } = parseDefs(RICH);
  assert.deepEqual(autoExterns(defs), ['/nosuch:LX', '/other/suite/task', '/rich/f2/t3:nosuchvar']);
  const { defs: d2 } = parseDefs('suite s\n  task a\n    trigger b == complete and :X == 1 and ./c:ev and ../t/z<flag>late\n  task c\n    event ev\nendsuite\n');
  assert.deepEqual(autoExterns(d2), ['../t/z:late', '/s/a:X', 'b']);
});

const haveServer = existsSync(ECFLOW_SERVER_BIN) || ECFLOW_SERVER_BIN === 'ecflow_server';

/** `--get_state` without what we do not print: generated variables and trigger evaluation trees. */
function withoutComputedLines(text: string): string {
  const out: string[] = [];
  let treeIndent = -1;
  for (const line of text.split('\n')) {
    const indent = line.length - line.trimStart().length;
    const body = line.trimStart();
    if (treeIndent >= 0) {
      if (body.startsWith('#') && indent >= treeIndent) continue;
      treeIndent = -1;
    }
    if (body === '# Trigger Evaluation Tree' || body.startsWith('# Warning: Full/correct AST')) {
      treeIndent = indent;
      continue;
    }
    if (body.startsWith('# edit ')) continue;
    out.push(line);
  }
  return out.join('\n');
}

test('same text as the real ecflow_client --get / --get_state', { skip: !haveServer && 'ecflow_server not installed' }, async () => {
  const srv = await startEcflowServer({ defs: KS + RICH, port: await freePort({ min: 20000, max: 29999 }) });
  try {
    const run = async (args: string[]): Promise<string> => {
      const r = await srv.ecflowClient(args);
      assert.equal(r.code, 0, `${args.join(' ')}: ${r.stderr}`);
      return r.stdout;
    };
    for (const args of [
      ['--free-dep', 'trigger', '/ks/f/t'],
      ['--force=complete', '/ks/f/t'],
      ['--alter', 'change', 'label', 'l1', 'new value', '/ks/f/t'],
      ['--alter', 'change', 'meter', 'm', '70', '/ks/f/t'],
      ['--alter', 'change', 'limit_value', 'lim', '3', '/ks'],
      ['--alter', 'change', 'label', 'lab', 'multi\nline', '/rich/f1/t1'],
      ['--force=set', '/rich/f1/t1:ev'],
      ['--suspend', '/rich/f2'],
      ['--alter', 'add', 'variable', 'HASHV', 'x # y', '/rich'],
    ]) {
      await run(args);
    }
    const migrate = await run(['--migrate']);
    const { defs, warnings } = parseDefs(migrate);
    assert.deepEqual(warnings, []);
    assert.equal(printDefs(defs, 'DEFS'), await run(['--get']));
    assert.equal(printDefs(defs, 'STATE'), withoutComputedLines(await run(['--get_state'])));
    // --get=/path: a family/task is printed alone from level 1 (plus an empty line from the CLI);
    // a suite is printed as a defs holding only that suite, with its own externs
    assert.equal(printNode(defs.findNode('/ks/f/t')!, 'DEFS') + '\n', await run(['--get=/ks/f/t']));
    assert.equal(printNode(defs.findNode('/rich/f1')!, 'STATE') + '\n', withoutComputedLines(await run(['--get_state=/rich/f1'])));
    const only = new Defs();
    only.addSuite(parseDefs(migrate).defs.findSuite('rich')!);
    assert.equal(printDefs(only, 'DEFS'), await run(['--get=/rich']));
  } finally {
    await srv.stop();
  }
});
