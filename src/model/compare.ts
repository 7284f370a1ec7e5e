/**
 * Structural comparison of two defs over everything the server transmits (ecflow-protocol.md §7,
 * §8, §10): defs-level numbers, states, flags and variables, and per node its kind, state,
 * defstatus, suspended, flags, durations, job fields, suite clock/calendar, every attribute with
 * its current value, and the order of children. Used to check that incremental sync gives the same
 * model as a fresh full sync.
 *
 * An empty attribute list and a missing one are equal. The aviso `resolvedListener` (only in
 * 5.15+ mementos, never in the text) is not compared.
 *
 * Pure module: no Node or DOM types.
 */

import type { Defs } from './defs.js';
import { Alias, Suite, Task, type Node, type NodeAttrs } from './node.js';
import { DSTATE_NAMES, NSTATE_NAMES, flagsToText } from './types.js';

export interface CompareOptions {
  /** Skip `rt:` (state change runtime): cereal node trees do not carry it. */
  ignoreRuntime?: boolean;
  /** Skip suite calendars (they move without other changes). */
  ignoreCalendar?: boolean;
  /** Skip the defs change numbers, `cal_count`, version and style. */
  ignoreNumbers?: boolean;
  /** Skip `dur:` of nodes. */
  ignoreDurations?: boolean;
  /** Stop after this many differences (default 200). */
  maxDifferences?: number;
}

/**
 * Differences between two defs as readable lines; empty when equal.
 *
 * @example
 * const diff = compareDefs(incremental, full, { ignoreRuntime: true });
 * assert.deepEqual(diff, []);
 */
export function compareDefs(a: Defs, b: Defs, options: CompareOptions = {}): string[] {
  const c = new Comparer(options);
  c.defs(a, b);
  return c.out;
}

/** Differences between two nodes and their subtrees (same options as compareDefs). */
export function compareNodes(a: Node, b: Node, options: CompareOptions = {}): string[] {
  const c = new Comparer(options);
  c.node(a, b, a.path);
  return c.out;
}

const ATTR_KEYS: readonly (keyof NodeAttrs)[] = [
  'variables', 'labels', 'meters', 'events', 'limits', 'inlimits', 'trigger', 'complete', 'late', 'repeat',
  'times', 'todays', 'dates', 'days', 'crons', 'avisos', 'mirrors', 'zombies', 'verifies', 'queues', 'generics',
  'autoCancel', 'autoArchive', 'autoRestore', 'unknown',
];

const SKIP_FIELDS = new Set(['resolvedListener']);

class Comparer {
  readonly out: string[] = [];
  private readonly max: number;
  constructor(private readonly o: CompareOptions) {
    this.max = o.maxDifferences ?? 200;
  }

  private diff(where: string, what: string, x: unknown, y: unknown): void {
    if (this.out.length < this.max) this.out.push(`${where}: ${what} ${show(x)} != ${show(y)}`);
  }

  private same(where: string, what: string, x: unknown, y: unknown): void {
    if (x !== y) this.diff(where, what, x, y);
  }

  defs(a: Defs, b: Defs): void {
    const w = '/';
    if (!this.o.ignoreNumbers) {
      this.same(w, 'version', a.version, b.version);
      this.same(w, 'state_change', a.stateChange, b.stateChange);
      this.same(w, 'modify_change', a.modifyChange, b.modifyChange);
      this.same(w, 'cal_count', a.calCount, b.calCount);
    }
    this.same(w, 'state', NSTATE_NAMES[a.state], NSTATE_NAMES[b.state]);
    this.same(w, 'flags', flagsToText(a.flags), flagsToText(b.flags));
    this.same(w, 'server_state', a.serverState, b.serverState);
    this.value(w, 'server variables', a.serverVariables, b.serverVariables);
    this.value(w, 'built-in server variables', a.builtinServerVariables, b.builtinServerVariables);
    this.children(w, a.suites, b.suites, '');
  }

  private children(where: string, xs: readonly Node[], ys: readonly Node[], prefix: string): void {
    const xn = xs.map((n) => n.name).join(',');
    const yn = ys.map((n) => n.name).join(',');
    if (xn !== yn) this.diff(where, 'children', xn, yn);
    if (xn === yn) {
      for (let i = 0; i < xs.length; i++) this.node(xs[i]!, ys[i]!, prefix + '/' + xs[i]!.name);
      return;
    }
    // different lists: compare the common names
    for (const x of xs) {
      const y = ys.find((n) => n.name === x.name);
      if (y !== undefined) this.node(x, y, prefix + '/' + x.name);
    }
  }

  node(a: Node, b: Node, path: string): void {
    if (this.out.length >= this.max) return;
    if (a.kind !== b.kind) {
      this.diff(path, 'kind', a.kind, b.kind);
      return;
    }
    this.same(path, 'state', NSTATE_NAMES[a.state], NSTATE_NAMES[b.state]);
    this.same(path, 'defstatus', DSTATE_NAMES[a.defStatus], DSTATE_NAMES[b.defStatus]);
    this.same(path, 'suspended', a.suspended, b.suspended);
    this.same(path, 'flags', flagsToText(a.flags), flagsToText(b.flags));
    if (!this.o.ignoreDurations) this.same(path, 'dur', a.dur, b.dur);
    if (!this.o.ignoreRuntime) this.same(path, 'rt', a.rt, b.rt);
    if (a instanceof Suite && b instanceof Suite) {
      this.same(path, 'begun', a.begun, b.begun);
      this.value(path, 'clock', a.clock, b.clock);
      this.value(path, 'endclock', a.endClock, b.endClock);
      if (!this.o.ignoreCalendar) this.value(path, 'calendar', a.calendar, b.calendar);
    }
    if ((a instanceof Task || a instanceof Alias) && (b instanceof Task || b instanceof Alias)) {
      this.same(path, 'passwd', a.jobsPassword, b.jobsPassword);
      this.same(path, 'rid', a.rid, b.rid);
      this.same(path, 'abort reason', a.abortReason, b.abortReason);
      this.same(path, 'try', a.tryNo, b.tryNo);
    }
    if (a instanceof Task && b instanceof Task) this.same(path, 'alias_no', a.aliasNo, b.aliasNo);
    for (const k of ATTR_KEYS) this.value(path, k, norm(a.attrs?.[k]), norm(b.attrs?.[k]));
    this.children(path, a.nodes, b.nodes, path);
  }

  /** Deep comparison of attribute values (plain fields, arrays). */
  private value(where: string, what: string, x: unknown, y: unknown): void {
    if (x === y) return;
    if (x === null || y === null || typeof x !== 'object' || typeof y !== 'object') {
      if (!(Number.isNaN(x) && Number.isNaN(y))) this.diff(where, what, x, y);
      return;
    }
    if (Array.isArray(x) || Array.isArray(y)) {
      if (!Array.isArray(x) || !Array.isArray(y)) return this.diff(where, what, x, y);
      if (x.length !== y.length) return this.diff(where, `${what} count`, x.length, y.length);
      for (let i = 0; i < x.length; i++) this.value(where, `${what}[${i}]`, x[i], y[i]);
      return;
    }
    const keys = new Set([...Object.keys(x), ...Object.keys(y)]);
    for (const k of keys) {
      if (SKIP_FIELDS.has(k)) continue;
      this.value(where, `${what}.${k}`, (x as Record<string, unknown>)[k], (y as Record<string, unknown>)[k]);
    }
  }
}

function norm(v: unknown): unknown {
  return Array.isArray(v) && v.length === 0 ? undefined : v;
}

function show(v: unknown): string {
  if (typeof v === 'string') return JSON.stringify(v.length > 80 ? v.slice(0, 80) + '…' : v);
  if (v === undefined) return 'undefined';
  try {
    const s = JSON.stringify(v);
    return s.length > 120 ? s.slice(0, 120) + '…' : s;
  } catch {
    return String(v);
  }
}
