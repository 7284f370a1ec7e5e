// Incremental sync (ecflow-protocol.md §8, ecflow-protocol-5.17.md §5) against the captured
// vectors, in capture order.
//
// Vector chains used (models are kept per client handle; a chain link is only applied when the
// numbers the client sent equal the model's numbers, otherwise the model is dropped):
//  * 5.9.2 `vectors/`: full sync 020 → incremental 022 → full 023 (compared: equal); handle 1:
//    full 082 → 087 → 090 → (ch_add 091 changes the handle's suites, so the full 093 is not
//    compared) → 097 ChildrenMemento → full 100 (suite s3 deleted: modify number moved, the common
//    suite s1 is compared: equal); handle 0: full 248 → twelve `m_*` incrementals (clear_attributes
//    compounds with every attribute type, ChildrenMemento 266 with full Task trees, limits, late,
//    complete) → full 273 (compared: equal) → m2_* (275 limit on a task, 277 ChildrenMemento with
//    limits), applied without warnings.
//  * 5.17 `replay-of-5.9.2/` (the 5.17 server's replies to the same requests, numbers adapted): the
//    same chains and comparisons, now with the FlagMemento that 5.13+ appends to clear compounds.
//  * 5.17 native `NNN-*`: full 008 → 013…089; DefsCmd 137 (migrate) seeds 143…160 (event, meter,
//    inlimit -s/-n added: clear compounds); full 193 → 196 (repeat datetime value), 199 (datetime
//    list index), 202 (clear compound with RepeatDateTime), 205/208, 214 (NodeAvisoMemento),
//    220 (NodeMirrorMemento), 226/229 (ChildrenMemento with avisos/mirrors) → compared with the
//    SNodeCmd 232 of /newattr: the only differences are those of the suspend sent in between (230).
//  Calendars are not compared (a suite calendar moves without other changes and is only sent with
//  other changes); `rt:` is not compared (cereal node trees do not carry it).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { loadVectors, type TestVector } from '../protocol/test-vectors.js';
import { parseDefs, parseNodeText } from '../protocol/defs-parser.js';
import { readCereal } from '../protocol/cereal.js';
import { EcflowError } from '../errors.js';
import { applyCompoundMementos, type CompoundMemento } from './apply-sync.js';
import { compareDefs, compareNodes } from './compare.js';
import { defsTextsOf, readFrame, syncExchangeOf } from './vector-exchanges.js';
import type { Defs } from './defs.js';
import { formatInstant } from './time-format.js';
import { generateSuiteDefs } from './generate-defs.js';
import { Flag, NState } from './types.js';
import { Task } from './node.js';

interface ChainResult {
  applied: number;
  warnings: string[];
  /** file → differences (empty = equal) */
  compared: Map<string, string[]>;
  models: Map<number, Defs>;
  /** file → model (handle 0) right after that file was processed */
  after: Map<string, Defs | undefined>;
}

const CMP = { ignoreRuntime: true, ignoreCalendar: true } as const;

function runChain(vectors: TestVector[]): ChainResult {
  const models = new Map<number, { defs: Defs; dirty: number }>();
  const res: ChainResult = { applied: 0, warnings: [], compared: new Map(), models: new Map(), after: new Map() };
  for (const v of vectors) {
    const file = v.file.slice(v.file.lastIndexOf('/') + 1);
    const req = readFrame(v.request_raw) as { '21ClientToServerRequest'?: { cmd_?: { $type?: string } } } | undefined;
    if (req?.['21ClientToServerRequest']?.cmd_?.$type === 'ClientHandleCmd') {
      // the handle's suites may change: the next full sync of a handle is not comparable
      for (const [h, m] of models) if (h !== 0) m.dirty = 0;
    }
    const x = syncExchangeOf(v.request_raw, v.response_raw);
    const defsCmd = defsTextsOf(v.response_raw).find((t) => t.field === 'DefsCmd');
    const fullText = x?.fullText ?? (x === undefined ? defsCmd?.text : undefined);
    const handle = x?.handle ?? 0;
    if (fullText !== undefined) {
      const { defs: full, warnings } = parseDefs(fullText);
      assert.deepEqual(warnings, [], file);
      const m = models.get(handle);
      if (m !== undefined && m.dirty > 0 && m.defs.modifyChange === full.modifyChange && m.defs.stateChange === full.stateChange) {
        res.compared.set(file, compareDefs(m.defs, full, CMP));
      } else if (m !== undefined && m.dirty > 0 && m.defs.stateChange === full.stateChange) {
        // only a suite was added/deleted (modify number): compare the suites both have
        const diff: string[] = [];
        for (const s of m.defs.suites) {
          const t = full.findSuite(s.name);
          if (t !== undefined) diff.push(...compareNodes(s, t, CMP));
        }
        res.compared.set(file, diff);
      }
      if (x !== undefined || m === undefined || m.defs.stateChange !== full.stateChange || m.defs.modifyChange !== full.modifyChange) {
        models.set(handle, { defs: full, dirty: 0 });
      }
    } else if (x !== undefined) {
      const m = models.get(handle);
      if (m === undefined || m.defs.stateChange !== x.clientStateChange || m.defs.modifyChange !== x.clientModifyChange) {
        models.delete(handle);
      } else {
        res.warnings.push(...applyCompoundMementos(m.defs, x.compounds, x.stateChange, x.modifyChange).map((w) => `${file}: ${w}`));
        m.dirty++;
        res.applied++;
      }
    }
    res.after.set(file, models.get(0)?.defs);
  }
  for (const [h, m] of models) res.models.set(h, m.defs);
  return res;
}

const v592 = (await loadVectors('5.9.2')).filter((v) => /^\d{3}-/.test(v.file));
const all517 = await loadVectors('5.17');
const v517 = all517.filter((v) => /^\d{3}-/.test(v.file));
const replay = all517
  .filter((v) => v.file.startsWith('replay-of-5.9.2/') && /\/\d{3}-/.test(v.file))
  .filter((v, _, list) => v.file.endsWith('.adapted.json') || !list.some((w) => w.file === v.file.replace(/\.json$/, '.adapted.json')));

test('5.9.2 vectors: incremental syncs applied in capture order equal the next full sync', () => {
  const r = runChain(v592);
  assert.deepEqual(r.warnings, []);
  assert.ok(r.applied >= 38, `applied ${r.applied}`);
  assert.deepEqual(r.compared.get('023-s2_sync_full.json'), []);
  assert.deepEqual(r.compared.get('100-h_sync_after_delete_suite.json'), []);
  assert.deepEqual(r.compared.get('273-m2_sync_full.json'), []);
  console.log(`5.9.2 chain: ${r.applied} incremental syncs applied, ${r.compared.size} comparisons with a later full sync`);
});

test('5.17 replay of the 5.9.2 session (adapted numbers): same chains, FlagMemento in clear compounds', () => {
  const r = runChain(replay);
  assert.deepEqual(r.warnings, []);
  assert.ok(r.applied >= 36, `applied ${r.applied}`);
  assert.deepEqual(r.compared.get('023-s2_sync_full.json'), []);
  assert.deepEqual(r.compared.get('273-m2_sync_full.json'), []);
  console.log(`5.17 replay chain: ${r.applied} incremental syncs applied, ${r.compared.size} comparisons`);
});

test('5.17 native session: aviso, mirror, repeat datetime mementos; ChildrenMemento with avisos/mirrors', () => {
  const r = runChain(v517);
  assert.deepEqual(r.warnings, []);
  assert.ok(r.applied >= 44, `applied ${r.applied}`);
  // 143…160 were reached through the DefsCmd (migrate) 137 seed
  assert.ok(r.after.get('160-sync_inlimit_n_add.json')?.findNode('/cap'), 'chain seeded from DefsCmd');

  const at = (file: string): Defs => {
    const d = r.after.get(file);
    assert.ok(d, `no model after ${file}`);
    return d;
  };
  assert.equal(formatInstant(at('196-sync_na_repeat_dt.json').findNode('/newattr/rep/dt')!.repeat!.value), '20240101T030000');
  assert.equal(at('199-sync_na_repeat_dtl.json').findNode('/newattr/rep/dtl')!.repeat!.value, 2);
  const dt = at('202-sync_na_clear_attrs_dt.json').findNode('/newattr/rep/dt')!;
  assert.deepEqual(dt.labels.map((l) => l.name), ['L']);
  assert.equal(dt.repeat?.kind, 'datetime');
  assert.equal(formatInstant(dt.repeat!.start), '20240101T000000');
  assert.equal(dt.repeat!.step, 3600);
  const avi = at('214-sync_na_aviso_reload.json').findNode('/newattr/remote/avi')!;
  const aviso = avi.attrs!.avisos![0]!;
  assert.equal(aviso.name, 'A1');
  assert.equal(aviso.reason, "'EtcdClient: Unable to retrieve result, due to Connection (2)'");
  assert.equal(aviso.resolvedListener, '{ "event": "mars", "request": { "class": "od", "date": "20240101" } }');
  assert.ok(avi.flags & (1 << Flag.REMOTE_ERROR));
  const mir = at('220-sync_na_aviso_delete.json').findNode('/newattr/remote/mir')!;
  assert.equal(mir.attrs!.mirrors![0]!.remotePort, '5334');

  // the model after 229 against the SNodeCmd of /newattr captured after one more suspend (230)
  const [text] = defsTextsOf(v517.find((v) => v.file === '232-na_get_final.json')!.response_raw);
  const node = parseNodeText(text!.text).node!;
  const diff = compareNodes(at('229-sync_na_children_after_delete.json').findNode('/newattr')!, node, CMP);
  assert.deepEqual(diff, ['/newattr/lims/ln: suspended false != true', '/newattr/lims/ln: flags "task_aborted,no_script" != "task_aborted,no_script,message"']);
});

/** Compounds of one vector's SSyncCmd. */
function compoundsOf(set: TestVector[], file: string): CompoundMemento[] {
  const v = set.find((x) => x.file === file);
  assert.ok(v, file);
  return syncExchangeOf(v.request_raw, v.response_raw)!.compounds;
}

test('clear_attributes compounds (m_*): every attribute kind re-added; autocancel/archive/restore survive', () => {
  const r = runChain(v592.filter((v) => v.file <= '248-m_sync_full.json'));
  const defs = r.models.get(0)!;
  const before = defs.findNode('/ks/f/t')!;
  const zombiesBefore = before.attrs?.zombies?.length;
  const compounds = compoundsOf(v592, '250-m_sync_addlabel_ks_f_t.json');
  const clear = compounds.find((c) => c.path === '/ks/f/t')!;
  assert.equal(clear.clearAttributes, true);
  assert.deepEqual(applyCompoundMementos(defs, compounds, 1000, 8), []);
  const t = defs.findNode('/ks/f/t')!;
  assert.deepEqual(t.labels.map((l) => l.name), ['l1', 'xl']);
  assert.equal(t.attrs?.zombies?.length, zombiesBefore);
  assert.equal(t.attrs?.crons?.length, 2);
  assert.equal(t.attrs?.late?.complete, 120);
  assert.equal(defs.stateChange, 1000);
  // autoarchive on /ks/f and autocancel on /ks are not in the mementos and must survive a clear
  assert.deepEqual(applyCompoundMementos(defs, compoundsOf(v592, '252-m_sync_addlabel_ks_f.json'), 1001, 8), []);
  assert.deepEqual(applyCompoundMementos(defs, compoundsOf(v592, '254-m_sync_addlabel_ks.json'), 1002, 8), []);
  assert.ok(defs.findNode('/ks/f')!.attrs?.autoArchive);
  assert.ok(defs.findNode('/ks')!.attrs?.autoCancel);
  assert.equal(defs.findNode('/ks/f')!.repeat?.kind, 'date');
});

test('m2_*: a limit added to a task (clear compound), then a ChildrenMemento whose Task trees carry it', () => {
  const r = runChain(v592);
  const after275 = r.after.get('275-m2_sync_after_add_limit.json')!;
  assert.deepEqual(after275.findNode('/ks/f/t')!.limits.map((l) => [l.name, l.max]), [['tlim', 3]]);
  const after277 = r.after.get('277-m2_sync_children_with_limit.json')!;
  const f = after277.findNode('/ks/f')!;
  assert.deepEqual(f.nodes.map((n) => n.name), ['t', 't2', 't3', 't4']); // t6 deleted by 265, t5 by 276
  assert.deepEqual(f.findChild('t')!.limits.map((l) => [l.name, l.max]), [['tlim', 3]]);
  assert.equal(f.findChild('t')!.parent, f);
  assert.equal(after277.findNode('/ks/f/t4')!.path, '/ks/f/t4');
});

test('unknown memento → warning; wrong node kind → warning; unknown path → EcflowError SYNC', () => {
  const { defs } = parseDefs('suite s\n  family f\n    task t\n  endfamily\nendsuite\n');
  const w = applyCompoundMementos(
    defs,
    [
      { path: '/s/f/t', clearAttributes: false, mementos: [{ $type: 'NodeFutureMemento', x: 1 }, { $type: 'ChildrenMemento', children_: [] }] },
      { path: '/', clearAttributes: false, mementos: [{ $type: 'NodeLabelMemento' }, { $type: 'ServerStateMemento', state_: 0 }] },
      { path: '/s/f/t', clearAttributes: false, mementos: [{ $type: 'NodeLabelMemento', label_: { n_: 'l', v_: 'a', new_v_: 'b' } }] },
    ],
    5,
    6,
  );
  assert.equal(w.length, 3);
  assert.match(w[0]!, /unknown memento NodeFutureMemento/);
  assert.match(w[1]!, /ChildrenMemento does not apply to a task/);
  assert.equal(defs.serverState, 0);
  assert.equal(defs.findNode('/s/f/t')!.labels[0]?.newValue, 'b');
  assert.deepEqual([defs.stateChange, defs.modifyChange], [5, 6]);
  assert.throws(
    () => applyCompoundMementos(defs, [{ path: '/s/nope', clearAttributes: false, mementos: [] }], 7, 7),
    (e: unknown) => e instanceof EcflowError && e.code === 'SYNC',
  );
});

test('duplicate variables (mirror): clear compound keeps both, value updates go in order', () => {
  const { defs } = parseDefs('suite s\n  task t\nendsuite\n');
  const vars = (a: string, b: string): CompoundMemento['mementos'] => [
    { $type: 'NodeVariableMemento', var_: { n_: 'RV', v_: a } },
    { $type: 'NodeVariableMemento', var_: { n_: 'RV', v_: b } },
  ];
  applyCompoundMementos(defs, [{ path: '/s/t', clearAttributes: true, mementos: vars('one', 'two') }], 1, 1);
  const t = defs.findNode('/s/t')!;
  assert.deepEqual(t.variables.map((v) => v.value), ['one', 'two']);
  applyCompoundMementos(defs, [{ path: '/s/t', clearAttributes: false, mementos: vars('three', 'four') }], 2, 1);
  assert.deepEqual(t.variables.map((v) => v.value), ['three', 'four']);
  assert.equal(t.findVariable('RV')?.value, 'four');
});

test('applying 10,000 changed tasks (~40k mementos) is fast (printed, sanity bound only)', () => {
  const text = generateSuiteDefs({ tasks: 100_000, withState: true, attrEvery: 0 });
  const { defs } = parseDefs(text);
  const tasks: Task[] = [];
  defs.forEachNode((n) => {
    if (n instanceof Task && tasks.length < 10_000 && n.state === NState.QUEUED) tasks.push(n);
  });
  // the shape of a real reply: state, flag, submittable per task, then the suite calendar
  const raw = {
    compound_mementos_: tasks.map((t) => ({
      absNodePath_: t.path,
      vec_: [
        { $type: 'NodeStateMemento', state_: { first: 5, second: { duration: '00:01:00' } } },
        { $type: 'FlagMemento', flag_: { flag_: 256 } },
        { $type: 'SubmittableMemento', paswd_: 'abcdefgh', rid_: '12345', abr_: '', tryNo_: 1 },
        { $type: 'NodeLabelMemento', label_: { n_: 'info', v_: '', new_v_: 'running' } },
      ],
    })),
  };
  const compounds: CompoundMemento[] = (readCereal(raw) as typeof raw).compound_mementos_.map((c) => ({
    path: c.absNodePath_,
    clearAttributes: false,
    mementos: c.vec_,
  }));
  compounds.push({ path: '/s0', clearAttributes: false, mementos: [{ $type: 'SuiteCalendarMemento', cal_: { initTime_: { ptime: '2026-Nov-26 07:13:35' } } }] });
  const cold0 = performance.now();
  applyCompoundMementos(defs, compounds.slice(0, 2000), 98, 9); // first use: JIT and child indexes
  const cold = performance.now() - cold0;
  const t0 = performance.now();
  const w = applyCompoundMementos(defs, compounds, 99, 9);
  const ms = performance.now() - t0;
  assert.deepEqual(w, []);
  assert.equal(tasks[9999]!.state, NState.ACTIVE);
  assert.equal(tasks[0]!.jobsPassword, 'abcdefgh');
  console.log(`applied ${compounds.length} compounds / ${tasks.length * 4 + 1} mementos in ${ms.toFixed(1)} ms (first 2000 compounds, cold: ${cold.toFixed(1)} ms)`);
  assert.ok(ms < 1000);
});
