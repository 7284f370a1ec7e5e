// Seeded random operation test of the model (house style, after VS Code's indexTreeModel test):
// random compound mementos (state, flags, suspend, defstatus, label/meter/event/variable updates,
// clear_attributes compounds, OrderMemento, ChildrenMemento) are applied to the model and to an
// independent, deliberately simple reference; after every step both must agree. At the end the
// model is printed as NET text and parsed again: the result must equal the model.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { EcflowError } from '../errors.js';
import { parseDefs } from '../protocol/defs-parser.js';
import { applyCompoundMementos, type CompoundMemento, type Memento } from './apply-sync.js';
import { compareDefs } from './compare.js';
import { printDefs } from './printer.js';
import type { Defs } from './defs.js';
import type { Node } from './node.js';

/** mulberry32: small seeded PRNG. */
function rng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

interface RefNode {
  kind: 'suite' | 'family' | 'task';
  state: number;
  flags: number;
  suspended: boolean;
  defStatus: number;
  dur: number;
  labels: [string, string, string][];
  meters: [string, number, number, number, number][];
  events: [string, boolean, boolean][];
  vars: [string, string][];
  children: string[];
}

const newRef = (kind: RefNode['kind']): RefNode => ({
  kind, state: 0, flags: 0, suspended: false, defStatus: 2, dur: 0, labels: [], meters: [], events: [], vars: [], children: [],
});

class Reference {
  nodes = new Map<string, RefNode>();
  remove(path: string): void {
    const n = this.nodes.get(path);
    if (n === undefined) return;
    for (const c of n.children) this.remove(path + '/' + c);
    this.nodes.delete(path);
  }
}

function modelView(n: Node): Omit<RefNode, 'children'> & { children: string[] } {
  return {
    kind: n.kind as RefNode['kind'],
    state: n.state,
    flags: n.flags,
    suspended: n.suspended,
    defStatus: n.defStatus,
    dur: n.dur,
    labels: n.labels.map((l) => [l.name, l.value, l.newValue]),
    meters: n.meters.map((m) => [m.name, m.min, m.max, m.colorChange, m.value]),
    events: n.events.map((e) => [e.name, e.initial, e.value]),
    vars: n.variables.map((v) => [v.name, v.value]),
    children: n.nodes.map((c) => c.name),
  };
}

function check(defs: Defs, ref: Reference, step: number): void {
  let count = 0;
  defs.forEachNode((n) => {
    count++;
    const r = ref.nodes.get(n.path);
    assert.ok(r, `step ${step}: model has ${n.path}, reference not`);
    assert.deepEqual(modelView(n), r, `step ${step}: ${n.path}`);
  });
  assert.equal(count, ref.nodes.size, `step ${step}: node count`);
}

const dur = (s: number): { duration: string } => ({
  duration: `${String(Math.floor(s / 3600)).padStart(2, '0')}:${String(Math.floor(s / 60) % 60).padStart(2, '0')}:${String(s % 60).padStart(2, '0')}`,
});

function runSeed(seed: number, steps: number): void {
  const r = rng(seed);
  const pick = <T>(xs: readonly T[]): T => xs[Math.floor(r() * xs.length)]!;
  const int = (n: number): number => Math.floor(r() * n);
  const word = (): string => pick(['a', 'b', 'c', 'x', 'y', 'z', 'n1', 'n2']);
  const text = (): string => pick(['', 'v', 'hello world', 'a # b', 'q"q', 'multi  space', 'x']);

  // initial defs, parsed from text, and the matching reference
  const ref = new Reference();
  let src = '#5.9.2\ndefs_state NET cal_count:0\nsuite s # state:queued\n';
  ref.nodes.set('/s', { ...newRef('suite'), state: 2 });
  for (let f = 0; f < 3; f++) {
    src += `family f${f}\n`;
    ref.nodes.set(`/s/f${f}`, newRef('family'));
    ref.nodes.get('/s')!.children.push(`f${f}`);
    for (let t = 0; t < 4; t++) {
      src += `task t${t}\nlabel l1 "orig"\nmeter m 0 10 10\nevent e\nedit V 'v'\n`;
      ref.nodes.set(`/s/f${f}/t${t}`, { ...newRef('task'), labels: [['l1', 'orig', '']], meters: [['m', 0, 10, 10, 0]], events: [['e', false, false]], vars: [['V', 'v']] });
      ref.nodes.get(`/s/f${f}`)!.children.push(`t${t}`);
    }
    src += 'endfamily\n';
  }
  src += 'endsuite\n# enddef\n';
  const { defs, warnings } = parseDefs(src);
  assert.deepEqual(warnings, []);
  check(defs, ref, 0);

  let stateNo = 1;
  for (let step = 1; step <= steps; step++) {
    const paths = [...ref.nodes.keys()];
    const path = pick(paths);
    const rn = ref.nodes.get(path)!;
    const mementos: Memento[] = [];
    let clear = false;
    const op = int(10);
    if (op === 0) {
      const s = int(6);
      const d = int(5000);
      mementos.push({ $type: 'NodeStateMemento', state_: { first: s, second: dur(d) } });
      rn.state = s;
      rn.dur = d;
    } else if (op === 1) {
      const f = int(1 << 10);
      mementos.push({ $type: 'FlagMemento', flag_: { flag_: f } });
      rn.flags = f;
    } else if (op === 2) {
      const s = r() < 0.5;
      const ds = int(7);
      mementos.push({ $type: 'SuspendedMemento', suspended_: s }, { $type: 'NodeDefStatusDeltaMemento', state_: ds });
      rn.suspended = s;
      rn.defStatus = ds;
    } else if (op === 3 && rn.labels.length > 0) {
      const l = pick(rn.labels);
      const v = text();
      mementos.push({ $type: 'NodeLabelMemento', label_: { n_: l[0], v_: l[1], new_v_: v } });
      l[2] = v;
    } else if (op === 4 && rn.meters.length > 0) {
      const m = pick(rn.meters);
      const v = m[1] + int(m[2] - m[1] + 1);
      mementos.push({ $type: 'NodeMeterMemento', meter_: { min_: m[1], max_: m[2], v_: v, n_: m[0], cc_: m[3] } });
      m[4] = v;
    } else if (op === 5 && rn.events.length > 0) {
      const e = pick(rn.events);
      const v = r() < 0.5;
      mementos.push({ $type: 'NodeEventMemento', event_: { n_: e[0], ...(v ? { v_: true } : {}), ...(e[1] ? { iv_: true } : {}) } });
      e[2] = v;
    } else if (op === 6 && rn.vars.length > 0) {
      // all variables of the node, in order (ecFlow sends them all when one changes)
      for (const v of rn.vars) {
        v[1] = text();
        mementos.push({ $type: 'NodeVariableMemento', var_: { n_: v[0], v_: v[1] } });
      }
    } else if (op === 7) {
      // attributes added/removed: clear compound with the whole new attribute set, ecFlow's order
      clear = true;
      const meters = Array.from({ length: int(3) }, (_, i): [string, number, number, number, number] => [`m${i}`, 0, 10, 10, int(11)]);
      const events = Array.from({ length: int(3) }, (_, i): [string, boolean, boolean] => [`e${i}`, r() < 0.3, r() < 0.5]);
      const labels = Array.from({ length: int(3) }, (_, i): [string, string, string] => [`l${i}`, text(), text()]);
      const vars = Array.from({ length: int(4) }, (): [string, string] => [word().toUpperCase(), text()]); // duplicates possible
      for (const m of meters) mementos.push({ $type: 'NodeMeterMemento', meter_: { min_: m[1], max_: m[2], v_: m[4], n_: m[0], cc_: m[3] } });
      for (const e of events) mementos.push({ $type: 'NodeEventMemento', event_: { n_: e[0], ...(e[2] ? { v_: true } : {}), ...(e[1] ? { iv_: true } : {}) } });
      for (const l of labels) mementos.push({ $type: 'NodeLabelMemento', label_: { n_: l[0], v_: l[1], new_v_: l[2] } });
      for (const v of vars) mementos.push({ $type: 'NodeVariableMemento', var_: { n_: v[0], v_: v[1] } });
      if (r() < 0.5) mementos.push({ $type: 'FlagMemento', flag_: { flag_: rn.flags } }); // 5.13+ appends it
      Object.assign(rn, { meters, events, labels, vars });
    } else if (op === 8 && rn.children.length > 1) {
      const order = [...rn.children].sort(() => r() - 0.5);
      mementos.push({ $type: 'OrderMemento', order_: order });
      rn.children = order;
    } else if (op === 9 && rn.kind !== 'task') {
      // ChildrenMemento: a new list of tasks (full cereal trees)
      for (const c of rn.children) ref.remove(path + '/' + c);
      const names = [...new Set(Array.from({ length: 1 + int(4) }, () => 'k' + word()))];
      const children = names.map((n) => {
        const st = int(6);
        const lab = text();
        const child: Record<string, unknown> = { $type: 'Task', n_: n, labels_: [{ n_: 'info', v_: 'i', new_v_: lab }], vars_: [{ n_: 'W', v_: lab }] };
        if (st !== 0) child['st_'] = { first: { st_: st }, second: dur(7) };
        ref.nodes.set(`${path}/${n}`, { ...newRef('task'), state: st, dur: st !== 0 ? 7 : 0, labels: [['info', 'i', lab]], vars: [['W', lab]] });
        return child;
      });
      mementos.push({ $type: 'ChildrenMemento', children_: children });
      rn.children = names;
    } else {
      continue;
    }
    const compound: CompoundMemento = { path, clearAttributes: clear, mementos };
    const w = applyCompoundMementos(defs, [compound], ++stateNo, 1);
    assert.deepEqual(w, [], `step ${step}`);
    check(defs, ref, step);
  }

  // the model built from mementos prints to text that parses back to the same model
  const back = parseDefs(printDefs(defs, 'NET'));
  assert.deepEqual(back.warnings, []);
  assert.deepEqual(compareDefs(defs, back.defs), []);
}

test('seeded random memento operations: model == simple reference after every step', () => {
  for (let seed = 1; seed <= 40; seed++) runSeed(seed, 150);
});

const MEMENTO_TYPES = [
  'StateMemento', 'ServerStateMemento', 'ServerVariableMemento', 'FlagMemento', 'OrderMemento', 'NodeStateMemento',
  'NodeDefStatusDeltaMemento', 'SuspendedMemento', 'NodeEventMemento', 'NodeMeterMemento', 'NodeLabelMemento',
  'NodeVariableMemento', 'NodeLimitMemento', 'NodeInLimitMemento', 'NodeTriggerMemento', 'NodeCompleteMemento',
  'NodeRepeatMemento', 'NodeRepeatIndexMemento', 'NodeTimeMemento', 'NodeTodayMemento', 'NodeDayMemento',
  'NodeDateMemento', 'NodeCronMemento', 'NodeLateMemento', 'NodeZombieMemento', 'NodeVerifyMemento', 'NodeQueueMemento',
  'NodeQueueIndexMemento', 'NodeGenericMemento', 'SubmittableMemento', 'SuiteClockMemento', 'SuiteBeginDeltaMemento',
  'SuiteCalendarMemento', 'ChildrenMemento', 'AliasChildrenMemento', 'AliasNumberMemento', 'NodeAvisoMemento',
  'NodeMirrorMemento', 'SomeFutureMemento',
];
const FIELDS = [
  'state_', 'serverEnv_', 'flag_', 'order_', 'suspended_', 'event_', 'meter_', 'label_', 'var_', 'limit_', 'inlimit_',
  'exp_', 'repeat_', 'index_or_value_', 'attr_', 'late_', 'verifys_', 'queue_', 'index_', 'name_', 'state_vec_',
  'generic_', 'paswd_', 'rid_', 'abr_', 'tryNo_', 'clockAttr_', 'begun_', 'cal_', 'children_', 'alias_no_', 'aviso_',
  'mirror_',
];

test('mementos with junk members never throw (only an unknown path gives EcflowError SYNC)', () => {
  const memento = fc
    .tuple(fc.constantFrom(...MEMENTO_TYPES), fc.dictionary(fc.constantFrom(...FIELDS), fc.anything({ maxDepth: 3 })))
    .map(([t, fields]) => ({ ...fields, $type: t }) as Memento);
  const compound = fc.record({
    path: fc.constantFrom('/', '/s', '/s/f', '/s/f/t', '/s/f/t/a'),
    clearAttributes: fc.boolean(),
    mementos: fc.array(memento, { maxLength: 6 }),
  });
  fc.assert(
    fc.property(fc.array(compound, { maxLength: 5 }), (compounds) => {
      const { defs } = parseDefs('#5.9.2\ndefs_state NET cal_count:0\nsuite s\nfamily f\ntask t\nlabel l "x"\nalias a\nendalias\nendfamily\nendsuite\n');
      try {
        applyCompoundMementos(defs, compounds, 1, 1);
      } catch (e) {
        // a ChildrenMemento may remove the node a later compound names
        assert.ok(e instanceof EcflowError && e.code === 'SYNC', String(e));
      }
      printDefs(defs, 'NET');
      printDefs(defs, 'STATE');
    }),
    { numRuns: 3000 },
  );
});
