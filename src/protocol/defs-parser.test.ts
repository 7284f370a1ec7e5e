// Tests of the defs-text parser (ecflow-protocol.md §10, ecflow-protocol-5.17.md §6) against every
// defs text of both vector sets, the kitchen-sink vector field by field, the 5.17 `na_*` vectors,
// the §10.4 quirks, malformed input and a parse-speed sanity check.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parseDefs, parseNodeText } from './defs-parser.js';
import { loadVectors, type TestVector } from './test-vectors.js';
import { EcflowError } from '../errors.js';
import { defsTextsOf } from '../model/vector-exchanges.js';
import { printDefs, printNode } from '../model/printer.js';
import { treeSummary } from '../model/summary.js';
import { generateSuiteDefs } from '../model/generate-defs.js';
import { Alias, Suite, Task, type Node } from '../model/node.js';
import { NState, SState, Flag, flagsToText } from '../model/types.js';
import { formatInstant } from '../model/time-format.js';

const sets = { '5.9.2': await loadVectors('5.9.2'), '5.17': await loadVectors('5.17') };

function vector(set: '5.9.2' | '5.17', file: string): TestVector {
  const v = sets[set].find((x) => x.file === file);
  assert.ok(v, `vector ${file} missing`);
  return v;
}

function node(defsOrNode: { findNode(p: string): Node | undefined }, path: string): Node {
  const n = defsOrNode.findNode(path);
  assert.ok(n, `no node ${path}`);
  return n;
}

test('every defs text of both vector sets parses without warnings and prints back byte for byte', () => {
  for (const [set, vectors] of Object.entries(sets)) {
    let texts = 0;
    let nodes = 0;
    let files = 0;
    for (const v of vectors) {
      const raws = [v.response_raw, v.response_raw_592_live].filter((r): r is string => typeof r === 'string');
      let seen = false;
      for (const raw of raws) {
        for (const t of defsTextsOf(raw)) {
          seen = true;
          texts++;
          if (t.field === 'SNodeCmd') {
            const r = parseNodeText(t.text);
            assert.deepEqual(r.warnings, [], `${v.file}: ${r.warnings.join('\n')}`);
            assert.ok(r.node, v.file);
            const indented = t.text.includes('\n  ');
            assert.equal(printNode(r.node, 'NET', { indent: indented }), t.text, `${v.file}: node text round trip`);
            let n = 0;
            const count = (x: Node): void => {
              n++;
              x.nodes.forEach(count);
            };
            count(r.node);
            nodes += n;
          } else {
            const r = parseDefs(t.text);
            assert.deepEqual(r.warnings, [], `${v.file}: ${r.warnings.join('\n')}`);
            assert.equal(printDefs(r.defs, 'NET'), t.text, `${v.file}: defs text round trip`);
            nodes += treeSummary(r.defs).total;
          }
        }
      }
      if (seen) files++;
    }
    console.log(`${set}: ${files} files, ${texts} defs texts, ${nodes} nodes, 0 warnings, all round-trip`);
    assert.ok(texts > 20);
  }
});

test('kitchen sink (ks_get_net): every field', () => {
  const [ksText] = defsTextsOf(vector('5.9.2', '205-ks_get_net.json').response_raw);
  const { defs, warnings } = parseDefs(ksText!.text);
  assert.deepEqual(warnings, []);
  assert.equal(defs.version, '5.9.2');
  assert.equal(defs.style, 'NET');
  assert.equal(defs.state, NState.ABORTED);
  assert.equal(flagsToText(defs.flags), 'message');
  assert.equal(defs.stateChange, 176);
  assert.equal(defs.modifyChange, 8);
  assert.equal(defs.serverState, SState.HALTED);
  assert.equal(defs.calCount, 0);
  assert.deepEqual(defs.serverVariables.map((v) => [v.name, v.value]), [['SRVVAR', 'sv']]);
  assert.equal(defs.builtinServerVariables.length, 23);
  assert.equal(defs.findServerVariable('ECF_JOB_CMD')?.value, '%ECF_JOB% 1> %ECF_JOBOUT% 2>&1');
  assert.deepEqual(defs.suites.map((s) => s.name), ['s1', 's2', 'ks']);

  const s1 = node(defs, '/s1') as Suite;
  assert.equal(s1.begun, true);
  assert.equal(s1.state, NState.ACTIVE);
  assert.equal(s1.dur, 1);
  assert.deepEqual(s1.limits.map((l) => [l.name, l.max, l.value, l.paths]), [['lim', 2, 1, ['/s1/f1/t2']]]);
  assert.equal(s1.calendar?.initTime, '2026-Nov-26 07:13:35');
  assert.equal(s1.calendar?.suiteTime, '2026-Nov-26 07:15:00');
  assert.equal(s1.calendar?.duration, 85);
  assert.equal(s1.calendar?.increment, 60);
  const t1 = node(defs, '/s1/f1/t1') as Task;
  assert.equal(t1.tryNo, 2);
  assert.equal(t1.dur, 65);
  assert.deepEqual(t1.labels.map((l) => [l.name, l.value, l.newValue]), [['lab1', 'hello', 'line1\nline2']]);
  assert.deepEqual(t1.meters.map((m) => [m.name, m.min, m.max, m.colorChange, m.value]), [['m1', 0, 100, 90, 50]]);
  assert.deepEqual(t1.events.map((e) => [e.number, e.name, e.initial, e.value]), [[-1, 'e1', false, true]]);
  const t2 = node(defs, '/s1/f1/t2') as Task;
  assert.equal(t2.jobsPassword, '4gMZFjMC');
  assert.equal(t2.rid, '15123');
  assert.equal(flagsToText(t2.flags), 'ecfcmd_failed,statuscmd_failed,killed,status,message,zombie');
  assert.equal(t2.trigger?.text, 't1 == complete or t1 == aborted');
  assert.equal(t2.trigger?.free, true);

  const s2 = node(defs, '/s2') as Suite;
  assert.deepEqual({ ...s2.clock }, { hybrid: true, day: 0, month: 0, year: 0, gain: 0, positiveGain: false });
  const a = node(defs, '/s2/a') as Task;
  assert.ok(a.abortReason.startsWith('   Script for /s2/a cannot be found:   ECF_SCRIPT('));
  assert.ok(a.abortReason.endsWith('failed using prune_root:\\n'), 'abort reason keeps the backslash-n as on the wire');
  assert.equal(a.state, NState.ABORTED);
  assert.equal(flagsToText(a.flags), 'task_aborted,no_script,message');
  const b = node(defs, '/s2/b');
  assert.equal(b.defStatus, 1);
  assert.deepEqual(b.attrs?.times?.map((x) => [x.series.start, x.series.relative, x.series.relativeDuration]), [[20, true, 128]]);

  const ks = node(defs, '/ks') as Suite;
  assert.equal(ks.findVariable('QUOTED')?.value, `it''s "quoted"`);
  assert.deepEqual(ks.limits.map((l) => [l.name, l.max, l.value]), [['lim', 10, 3], ['lim2', 5, 0]]);
  assert.deepEqual({ ...ks.attrs?.autoCancel }, { minutes: 60, relative: true, days: false, idle: false });
  assert.deepEqual({ ...ks.clock }, { hybrid: true, day: 1, month: 1, year: 2024, gain: 3600, positiveGain: true });
  assert.deepEqual({ ...ks.endClock }, { hybrid: false, day: 31, month: 12, year: 2030, gain: 0, positiveGain: false });
  const f = node(defs, '/ks/f');
  assert.deepEqual({ ...f.repeat }, { kind: 'date', name: 'YMD', start: 20240101, end: 20241231, step: 7, value: 20240115, strings: undefined, numbers: undefined });
  assert.deepEqual(f.inlimits.map((i) => [i.path, i.name, i.tokens, i.nodeOnly, i.submission]), [
    ['', 'lim', 1, false, false],
    ['', 'lim2', 2, true, false],
    ['/ks', 'lim2', 1, false, true],
  ]);
  assert.deepEqual({ ...f.attrs?.autoArchive }, { minutes: 30, relative: true, days: false, idle: false });
  const t = node(defs, '/ks/f/t');
  assert.equal(flagsToText(t.flags), 'late,message');
  assert.deepEqual({ ...t.attrs?.late }, { submitted: 15, active: 20 * 60, complete: 120, completeRelative: true, isLate: false });
  assert.equal(t.complete?.text, 't2 == complete');
  assert.equal(t.complete?.free, false);
  assert.equal(t.trigger?.text, 't2 == aborted or (/ks/f/t:ev3 and 1 == 1)');
  assert.equal(t.trigger?.free, true);
  assert.deepEqual(t.labels.map((l) => [l.name, l.value, l.newValue]), [['l1', 'first label', 'new value']]);
  assert.deepEqual(t.meters.map((m) => [m.name, m.min, m.max, m.colorChange, m.value]), [['m', 0, 100, 50, 70]]);
  assert.deepEqual(t.events.map((e) => [e.number, e.name, e.initial, e.value]), [
    [1, 'ev', false, true],
    [2, '', false, false],
    [-1, 'ev3', true, false],
  ]);
  const times = t.attrs!.times!;
  assert.deepEqual(times.map((x) => [x.free, x.series.start, x.series.finish, x.series.incr, x.series.relative, x.series.isValid]), [
    [true, 600, -1, -1, false, false],
    [false, 600, 1200, 30, false, true],
    [false, 10, -1, -1, true, true],
  ]);
  assert.deepEqual(t.attrs!.todays!.map((x) => [x.free, x.series.start, x.series.isValid]), [[true, 720, false]]);
  assert.deepEqual(t.attrs!.dates!.map((d) => ({ ...d })), [{ day: 1, month: 0, year: 0, free: false }]);
  assert.deepEqual(t.attrs!.days!.map((d) => ({ ...d })), [{ day: 1, free: false, expired: false, date: '2024-Jan-01' }]);
  const [c1, c2] = t.attrs!.crons!;
  assert.deepEqual([c1!.weekDays, c1!.lastWeekDaysOfMonth, c1!.daysOfMonth, c1!.lastDayOfMonth, c1!.months, c1!.free], [[0, 2], [1], [1, 15], true, [1, 6], true]);
  assert.deepEqual([c1!.series.start, c1!.series.finish, c1!.series.incr, c1!.series.nextTimeSlot], [600, 1200, 60, 660]);
  assert.equal(c2!.series.start, 23 * 60);
  assert.deepEqual(t.attrs!.zombies!.map((z) => ({ ...z })), [
    { type: 0, action: 0, childCmds: [0, 7], lifetime: 3600 },
    { type: 1, action: 1, childCmds: [], lifetime: 3600 },
  ]);
  assert.deepEqual(t.attrs!.verifies!.map((v) => ({ ...v })), [{ state: 1, expected: 3, actual: 1 }]);
  assert.deepEqual(t.attrs!.queues!.map((q) => ({ ...q })), [{ name: 'q1', items: ['a', 'b', 'c'], states: [2, 2, 2], index: 0 }]);
  assert.deepEqual(t.attrs!.generics!.map((g) => ({ ...g })), [{ name: 'gkey', values: ['v1', 'v2'] }]);
  assert.deepEqual([node(defs, '/ks/f/t2').repeat?.kind, node(defs, '/ks/f/t2').repeat?.strings], ['enumerated', ['a', 'b', 'c']]);
  const t3 = node(defs, '/ks/f/t3');
  assert.equal(t3.suspended, true);
  assert.equal(t3.repeat?.kind, 'string');
  assert.deepEqual(node(defs, '/ks/f/t4').repeat?.numbers, [20240101, 20240301, 20240501]);
  assert.deepEqual([node(defs, '/ks/f/t5').repeat?.kind, node(defs, '/ks/f/t5').repeat?.step], ['day', 2]);
  const t6 = node(defs, '/ks/f/t6');
  assert.deepEqual([t6.repeat?.kind, t6.repeat?.start, t6.repeat?.end, t6.repeat?.step, t6.repeat?.value], ['integer', 0, 10, 2, 0]);
  assert.deepEqual(t6.attrs?.autoRestore?.paths, ['/ks/f']);
});

test('5.17 na_* vectors: repeat datetime(list), mirror, aviso, inlimit -s/-n, duplicate variables', () => {
  const [get] = defsTextsOf(vector('5.17', '188-na_get.json').response_raw);
  const r = parseNodeText(get!.text);
  assert.deepEqual(r.warnings, []);
  const suite = r.node as Suite;
  const dt = suite.findChild('rep')!.findChild('dt')!;
  assert.equal(dt.defStatus, 1);
  const rep = dt.repeat!;
  assert.deepEqual([rep.kind, rep.name, formatInstant(rep.start), formatInstant(rep.end), rep.step], ['datetime', 'DT', '20240101T000000', '20240101T060000', 3600]);
  assert.equal(rep.value, rep.start);
  const dtl = suite.findChild('rep')!.findChild('dtl')!.repeat!;
  assert.deepEqual(dtl.numbers!.map(formatInstant), ['20240101T000000', '20240101T120000', '20240102T000000']);
  const mir = suite.findChild('remote')!.findChild('mir')!;
  assert.deepEqual({ ...mir.attrs!.mirrors![0]! }, {
    name: 'M1',
    remotePath: '/cap/f1/t1',
    remoteHost: '127.0.0.1',
    remotePort: '5334',
    polling: '60',
    ssl: false,
    auth: '%ECF_MIRROR_REMOTE_AUTH%',
    reason: '',
  });
  const avi = suite.findChild('remote')!.findChild('avi')!.attrs!.avisos![0]!;
  assert.equal(avi.name, 'A1');
  assert.equal(avi.listener, `'{ "event": "mars", "request": { "class": "od", "date": "20240101" } }'`);
  assert.deepEqual([avi.url, avi.schema, avi.polling, avi.revision, avi.auth, avi.reason], ['http://127.0.0.1:5399', '/home/ops/aviso/schema.json', '60', 0, '/home/ops/aviso/auth.json', "''"]);
  const lims = suite.findChild('lims')!;
  assert.deepEqual(lims.inlimits.map((i) => [i.name, i.submission, i.nodeOnly, i.tokens]), [['lim', true, false, 1]]);
  assert.deepEqual(lims.findChild('ln')!.inlimits.map((i) => [i.name, i.submission, i.nodeOnly, i.tokens]), [['lim', false, true, 2]]);

  // a state in the repeat comment and an aviso with a reason and remote_error flag
  const [sync] = defsTextsOf(vector('5.17', '210-sync_na_after_polling.json').response_raw);
  const { defs, warnings } = parseDefs(sync!.text);
  assert.deepEqual(warnings, []);
  assert.equal(defs.version, '5.17.0');
  const avi2 = node(defs, '/newattr/remote/avi');
  assert.ok(avi2.flags & (1 << Flag.REMOTE_ERROR));
  assert.equal(avi2.attrs!.avisos![0]!.reason, "'EtcdClient: Unable to retrieve result, due to Connection (2)'");
  assert.equal(avi2.attrs!.avisos![0]!.parentPath, '/newattr/remote/avi');

  // a mirror copies duplicate variables: both kept, the last one wins on lookup
  const [mx] = defsTextsOf(vector('5.17', '250-na_get_mx.json').response_raw);
  const fam = parseNodeText(mx!.text);
  assert.deepEqual(fam.warnings, []);
  const mt = fam.node!.findChild('mt')!;
  assert.deepEqual(mt.variables.filter((v) => v.name === 'RV').map((v) => v.value), ['two', 'two']);
  assert.equal(mt.findVariable('RV')?.value, 'two');
  assert.equal(mt.rt, 18);
  assert.equal(mt.attrs!.mirrors![0]!.remotePath, '/src/a');
});

const NET_HEAD = '#5.17.0\ndefs_state NET state>:queued cal_count:0\n';

test('§10.4 quirks and the places where we do better than ecFlow', () => {
  const text =
    NET_HEAD +
    "edit SRV 'a # b' # server\n" +
    "edit USR 'x  y   z'\n" +
    'suite s # begun:1 state:active\n' +
    "edit HASH 'x # y'\n" +
    "edit SPACES 'a  b   c'\n" +
    "edit EMPTY ''\n" +
    "edit QQ 'it's'\n" +
    'edit RV \'one\'\nedit RV \'two\'\n' +
    'task t # passwd:pw rid:1 abort<:  why  >abort inside; and\\n more >abort try:3 state:aborted flag:task_aborted\n' +
    'label a "orig # x" # "new # value with "quotes""\n' +
    'label b "line1\\nline2"\n' +
    'label c "" # ""quoted""\n' +
    'event 2 \n' +
    'event 3 set # clear\n' +
    'meter m -5 5 # 3\n' +
    'repeat enumerated E "a b" "c # d" "e"  # 1\n' +
    'alias a1 # state:complete\n' +
    'edit X \'1\'\n' +
    'endalias\n' +
    'endsuite\n' +
    '# enddef\n';
  const { defs, warnings } = parseDefs(text);
  assert.deepEqual(warnings, []);
  assert.equal(defs.builtinServerVariables[0]?.value, 'a # b');
  assert.equal(defs.serverVariables[0]?.value, 'x  y   z');
  const s = node(defs, '/s');
  assert.equal(s.findVariable('HASH')?.value, 'x # y');
  assert.equal(s.findVariable('SPACES')?.value, 'a  b   c');
  assert.equal(s.findVariable('EMPTY')?.value, '');
  assert.equal(s.findVariable('QQ')?.value, "it's");
  assert.equal(s.findVariable('RV')?.value, 'two');
  const t = node(defs, '/s/t') as Task;
  assert.equal(t.abortReason, '  why  >abort inside; and\\n more ');
  assert.equal(t.tryNo, 3);
  assert.equal(t.jobsPassword, 'pw');
  assert.deepEqual(t.labels.map((l) => [l.value, l.newValue]), [
    ['orig # x', 'new # value with "quotes"'],
    ['line1\nline2', ''],
    ['', '"quoted"'],
  ]);
  assert.deepEqual(t.events.map((e) => [e.number, e.name, e.initial, e.value]), [[2, '', false, false], [3, '', true, false]]);
  assert.deepEqual(t.meters.map((m) => [m.min, m.max, m.colorChange, m.value]), [[-5, 5, 5, 3]]);
  assert.deepEqual([t.repeat?.strings, t.repeat?.value], [['a b', 'c # d', 'e'], 1]);
  const alias = node(defs, '/s/t/a1') as Alias;
  assert.equal(alias.state, NState.COMPLETE);
  assert.equal(alias.findVariable('X')?.value, '1');
  assert.equal(alias.path, '/s/t/a1');
  // printing gives back ecFlow's text (event trailing blank, labels with \n, aliases, endalias)
  const printed = printDefs(defs, 'NET');
  assert.ok(printed.includes('\nevent 2 \n'));
  assert.ok(printed.includes('\nlabel b "line1\\nline2"\n'));
  assert.ok(printed.includes('\nalias a1 # state:complete\nedit X \'1\'\nendalias\n'));
  assert.deepEqual(parseDefs(printed).warnings, []);
});

test('malformed and unknown lines become warnings; structure errors warn, or throw DEFS_PARSE in strict mode', () => {
  const text =
    NET_HEAD +
    'endfamily\n' +
    'suite s\n' +
    'task t # state:bogus frob:1\n' +
    'meter m zero 10\n' +
    'frobnicate 1 2 3\n' +
    'repeat weekly X 1\n' +
    'label\n' +
    'event\n' +
    'clock real\n' +
    'endsuite\n' +
    'task orphan\n' +
    'edit\n' +
    'suite s2\n';
  const { defs, warnings } = parseDefs(text);
  assert.ok(warnings.length >= 10, warnings.join('\n'));
  assert.ok(warnings.every((w) => /^line \d+: /.test(w)));
  assert.match(warnings[0]!, /^line 3: endfamily without a family/);
  const t = node(defs, '/s/t');
  assert.equal(t.state, NState.UNKNOWN);
  assert.deepEqual(t.attrs?.unknown, ['meter m zero 10', 'frobnicate 1 2 3', 'repeat weekly X 1', 'label', 'event', 'clock real']);
  assert.deepEqual(defs.suites.map((x) => x.name), ['s', 's2']);
  assert.match(warnings.at(-1)!, /missing endsuite/);
  // printing keeps the raw lines
  assert.ok(printDefs(defs, 'NET').includes('\nfrobnicate 1 2 3\n'));

  assert.throws(
    () => parseDefs(NET_HEAD + 'suite s\nendfamily\nendsuite\n', { strict: true }),
    (e: unknown) => e instanceof EcflowError && e.code === 'DEFS_PARSE' && /line 4/.test(e.message),
  );
  const capped = parseDefs(NET_HEAD + 'suite s\n' + 'bad line\n'.repeat(50), { maxWarnings: 5 });
  assert.equal(capped.warnings.length, 6);
  assert.match(capped.warnings[5]!, /^46 more warnings/);
});

test('plain definitions: indentation, `#` comments, `;` statements, continuation lines, externs', () => {
  const text =
    '# my suite\n' +
    'extern /other/s:ev\n' +
    'suite s   # a comment\n' +
    '  family f; task t1; task t2\n' +
    '    meter m 0 100 # not a state\n' +
    '    trigger t1 == complete and \\\n' +
    '            t1:ev == set\n' +
    '    label l "x;y"\n' +
    '  endfamily\n' +
    'endsuite\n';
  const { defs, warnings } = parseDefs(text);
  assert.deepEqual(warnings, []);
  assert.deepEqual(defs.externs, ['/other/s:ev']);
  const t2 = node(defs, '/s/f/t2');
  assert.equal(t2.meters[0]?.value, 0);
  assert.equal(t2.trigger?.text, 't1 == complete and t1:ev == set');
  assert.equal(t2.labels[0]?.value, 'x;y');
  assert.ok(node(defs, '/s/f/t1'));
});

test('SNodeCmd text: indented (5.9.2) and flat (5.17), task with aliases, empty text', () => {
  const indented = parseNodeText('  task t # state:active\n    label l "v"\n      alias a # state:queued\n      endalias\n');
  assert.deepEqual(indented.warnings, []);
  assert.ok(indented.node instanceof Task);
  assert.equal(indented.node.aliases.length, 1);
  const flat = parseNodeText('family f # state:queued\ntask t\nfamily g\ntask u\nendfamily\nendfamily\n');
  assert.deepEqual(flat.warnings, []);
  assert.equal(flat.node?.findChild('g')?.findChild('u')?.path, '/f/g/u');
  assert.equal(parseNodeText('').node, undefined);
});

test('parse speed sanity check (generated NET text, 100,000 tasks; printed, not asserted)', () => {
  const text = generateSuiteDefs({ tasks: 100_000, withState: true });
  parseDefs(text); // warm up
  const t0 = performance.now();
  const { defs, warnings } = parseDefs(text);
  const ms = performance.now() - t0;
  assert.deepEqual(warnings, []);
  const s = treeSummary(defs);
  assert.equal(s.kinds.task, 100_000);
  assert.equal(s.attributes['labels'], 10_000);
  console.log(`parse of ${(text.length / 1e6).toFixed(1)} MB NET text with 100k tasks: ${ms.toFixed(0)} ms`);
  assert.equal(printDefs(defs, 'NET'), text);
  const plain = generateSuiteDefs({ suites: 3, tasks: 20_000, familySize: 70, attrEvery: 7 });
  const p = parseDefs(plain);
  assert.deepEqual(p.warnings, []);
  assert.equal(printDefs(p.defs, 'DEFS'), plain);
});
