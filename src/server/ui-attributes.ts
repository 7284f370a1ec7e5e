/**
 * The attribute rows of a node as the browser's tree shows them (ui-protocol UiAttribute), in a
 * fixed order: labels, meters, events, repeat, trigger, complete, time/today/date/day/cron, limits,
 * inlimits, late, queues, generics, zombies, verifies, autoarchive/autocancel/autorestore, avisos,
 * mirrors, a suite's clock — exactly `attributeRowCount(node)` rows — then the node's own variables.
 *
 * Texts are ecFlow's definition lines (attr-text.ts) without the state suffix; the state is in the
 * typed fields (value, free, isLate, holding).
 */

import {
  autoRestoreText,
  autoTimeText,
  avisoText,
  clockText,
  cronText,
  dateText,
  dayText,
  genericText,
  inlimitText,
  lateText,
  mirrorText,
  queueText,
  repeatText,
  timeText,
  verifyText,
  zombieText,
} from '../model/attr-text.js';
import { EVENT_NO_NUMBER, type Expression } from '../model/attributes.js';
import type { Defs } from '../model/defs.js';
import { evaluate } from '../model/expression-eval.js';
import { expressionAst, ModelExpressionContext } from '../model/expression-model.js';
import { Suite, type Node } from '../model/node.js';
import type { Repeat } from '../model/repeat.js';
import { formatInstant } from '../model/time-format.js';
import type { UiAttribute } from './ui-protocol.js';

/** The rows of `node` (see the module comment for the order). */
export function nodeAttributes(defs: Defs, node: Node): UiAttribute[] {
  const out: UiAttribute[] = [];
  const a = node.attrs;
  if (a !== undefined) {
    for (const l of a.labels ?? []) {
      out.push({ kind: 'label', name: l.name, value: l.newValue !== '' ? l.newValue : l.value, original: l.value });
    }
    for (const m of a.meters ?? []) {
      out.push({ kind: 'meter', name: m.name, value: m.value, min: m.min, max: m.max, colourChange: m.colorChange });
    }
    for (const e of a.events ?? []) {
      out.push({
        kind: 'event',
        name: e.name !== '' ? e.name : String(e.number),
        ...(e.number === EVENT_NO_NUMBER ? {} : { number: e.number }),
        value: e.value,
        initial: e.initial,
      });
    }
    if (a.repeat !== undefined) {
      const r = a.repeat;
      out.push({ kind: 'repeat', text: repeatText(r, false), name: r.name, value: repeatValueText(r) });
    }
    if (a.trigger !== undefined) out.push(expressionRow(defs, node, 'trigger', a.trigger));
    if (a.complete !== undefined) out.push(expressionRow(defs, node, 'complete', a.complete));
    for (const t of a.times ?? []) out.push({ kind: 'time', text: timeText('time', t, false), free: t.free });
    for (const t of a.todays ?? []) out.push({ kind: 'today', text: timeText('today', t, false), free: t.free });
    for (const d of a.dates ?? []) out.push({ kind: 'date', text: dateText(d, false), free: d.free });
    for (const d of a.days ?? []) out.push({ kind: 'day', text: dayText(d, false), free: d.free });
    for (const c of a.crons ?? []) out.push({ kind: 'cron', text: cronText(c, false), free: c.free });
    for (const l of a.limits ?? []) out.push({ kind: 'limit', name: l.name, value: l.value, max: l.max, paths: [...l.paths] });
    for (const i of a.inlimits ?? []) out.push({ kind: 'inlimit', text: inlimitText(i, false) });
    if (a.late !== undefined) out.push({ kind: 'late', text: lateText(a.late, false), isLate: a.late.isLate });
    for (const q of a.queues ?? []) out.push({ kind: 'queue', text: queueText(q, true) });
    for (const g of a.generics ?? []) out.push({ kind: 'generic', text: genericText(g) });
    for (const z of a.zombies ?? []) out.push({ kind: 'zombie', text: zombieText(z) });
    for (const v of a.verifies ?? []) out.push({ kind: 'verify', text: verifyText(v, true) });
    if (a.autoArchive !== undefined) out.push({ kind: 'autoarchive', text: autoTimeText('autoarchive', a.autoArchive) });
    if (a.autoCancel !== undefined) out.push({ kind: 'autocancel', text: autoTimeText('autocancel', a.autoCancel) });
    if (a.autoRestore !== undefined) out.push({ kind: 'autorestore', text: autoRestoreText(a.autoRestore) });
    for (const v of a.avisos ?? []) out.push({ kind: 'aviso', text: avisoText(v) });
    for (const m of a.mirrors ?? []) out.push({ kind: 'mirror', text: mirrorText(m) });
  }
  if (node instanceof Suite && node.clock !== undefined) out.push({ kind: 'clock', text: clockText(node.clock, false).trimEnd() });
  for (const v of a?.variables ?? []) out.push({ kind: 'variable', name: v.name, value: v.value });
  return out;
}

/** The current value of a repeat as text (the list item for lists, a date as yyyymmdd). */
export function repeatValueText(r: Repeat): string {
  switch (r.kind) {
    case 'string':
    case 'enumerated':
      return r.strings?.[r.value] ?? String(r.value);
    case 'datelist':
      return r.numbers?.[r.value] === undefined ? String(r.value) : String(r.numbers[r.value]);
    case 'datetime':
      return formatInstant(r.value);
    case 'datetimelist':
      return r.numbers?.[r.value] === undefined ? String(r.value) : formatInstant(r.numbers[r.value]!);
    case 'day':
      return String(r.step);
    default:
      return String(r.value);
  }
}

/** Does the expression hold now (false for an expression that does not parse)? */
export function expressionHolds(defs: Defs, node: Node, e: Expression): boolean {
  const ast = expressionAst(e);
  if (ast === undefined) return false;
  try {
    return evaluate(ast, new ModelExpressionContext(defs, node.path));
  } catch {
    return false;
  }
}

function expressionRow(defs: Defs, node: Node, kind: 'trigger' | 'complete', e: Expression): UiAttribute {
  // A trigger holds the node back while it is false and not freed; a complete expression never holds it.
  const holding = kind === 'trigger' && !e.free && !expressionHolds(defs, node, e);
  return { kind, text: e.text, free: e.free, holding };
}
