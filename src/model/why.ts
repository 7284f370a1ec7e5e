/**
 * "Why is this node not running?" — computed on the client from the model, like
 * `ecflow_client --group="get; why=PATH"` and ecflow_ui's Why panel (both call ecFlow's
 * `Node::bottom_up_why`; the UI does a SYNC_CLOCK first so that the suite calendars are current,
 * ecflow-protocol.md §9.1).
 *
 * The reasons, in ecFlow's order: the server (not RUNNING) or the definition state; then for the
 * suite, each family down to the node, and the node itself: suspended, or a state other than
 * queued/aborted (for a task that ends its list); full limits of its inlimits; day, date, today,
 * time and cron attributes still holding; avisos and mirrors (5.13+); the trigger when it is false
 * (unless a complete expression holds or is freed, or the trigger is freed).
 *
 * Each reason's `text` is ecflow_client's line, character for character; `details` add plain
 * words ecFlow does not give (which part of a trigger fails, defstatus, a finished repeat…).
 *
 * Pure module: no Node or DOM types.
 */

import type { Calendar, Expression, InLimit, Limit } from './attributes.js';
import type { Defs } from './defs.js';
import { explain, evaluate, failingDetails, whyExpressionText, type ExplainNode } from './expression-eval.js';
import { resolveExprPath } from './expression-context.js';
import { expressionAst, ModelExpressionContext, parsePtime } from './expression-model.js';
import type { Node } from './node.js';
import { Suite } from './node.js';
import type { CronAttr, DateAttr, DayAttr, TimeAttr, TimeSeries } from './time-attributes.js';
import { DAY_NAMES, DState, NSTATE_NAMES, NState, SState } from './types.js';

export type WhyReasonKind =
  | 'server'
  | 'defs'
  | 'suspended'
  | 'state'
  | 'limit'
  | 'day'
  | 'date'
  | 'today'
  | 'time'
  | 'cron'
  | 'aviso'
  | 'mirror'
  | 'trigger';

/** One reason why a node does not run. */
export interface WhyReason {
  readonly kind: WhyReasonKind;
  /** The node the reason is about ('' for the server and the definition). */
  readonly path: string;
  /** The line exactly as `ecflow_client --why` prints it. */
  readonly text: string;
  /** Extra plain-word explanations (may be empty). */
  readonly details: readonly string[];
  /** For `trigger`: the explained expression (see `explain`). */
  readonly expression?: ExplainNode;
}

export interface WhyOptions {
  /** Add the `details` of each reason as indented `  - …` lines (default true). */
  details?: boolean;
}

/**
 * Reasons why `node` is not running, as text lines. With `{ details: false }` the lines are
 * those of `ecflow_client --group="get; why=PATH"`.
 *
 * @example
 * why(defs, defs.findNode('/s/f/t2')!)
 * // ['TASK /s/f/t2(queued) expression (t1(queued) == complete) is false',
 * //  '  - /s/f/t1 is queued, expected complete']
 */
export function why(defs: Defs, node: Node, options: WhyOptions = {}): string[] {
  const withDetails = options.details ?? true;
  const out: string[] = [];
  for (const r of whyReasons(defs, node)) {
    out.push(r.text);
    if (withDetails) for (const d of r.details) out.push(`  - ${d}`);
  }
  return out;
}

/** The reasons as structured items (for a UI that links paths and shows the trigger tree). */
export function whyReasons(defs: Defs, node: Node): WhyReason[] {
  const out: WhyReason[] = [];
  defsWhy(defs, out);
  const chain: Node[] = [];
  for (let n: Node | undefined = node; n !== undefined; n = n.parent) chain.unshift(n);
  for (const n of chain) nodeWhy(defs, n, out);
  return out;
}

function defsWhy(defs: Defs, out: WhyReason[]): void {
  if (defs.serverState !== SState.RUNNING) {
    const halted = defs.serverState === SState.HALTED;
    out.push({
      kind: 'server',
      path: '',
      text: 'The server is *not* RUNNING.',
      details: [
        halted
          ? 'the server is HALTED: it submits no jobs and refuses commands from running jobs'
          : 'the server is SHUTDOWN: it submits no new jobs',
      ],
    });
    return;
  }
  if (defs.state !== NState.QUEUED && defs.state !== NState.ABORTED) {
    out.push({
      kind: 'defs',
      path: '',
      text: `The definition state(${NSTATE_NAMES[defs.state]}) is not queued or aborted.`,
      details: [],
    });
  }
}

const TYPE_NAMES = { suite: 'SUITE', family: 'FAMILY', task: 'TASK', alias: 'ALIAS' } as const;

function nodeWhy(defs: Defs, node: Node, out: WhyReason[]): void {
  const path = node.path;
  const type = TYPE_NAMES[node.kind];
  const stateName = NSTATE_NAMES[node.state];
  if (node.suspended) {
    const details = node.defStatus === DState.SUSPENDED ? ['defstatus suspended: suspended again on every begin/requeue'] : [];
    out.push({ kind: 'suspended', path, text: `${type}:${path} is suspended`, details });
  } else if (node.state !== NState.QUEUED && node.state !== NState.ABORTED) {
    out.push({ kind: 'state', path, text: `${type}:${path} (${stateName}) is not queued or aborted`, details: stateDetails(defs, node) });
    if (node.kind === 'task') return;
  }

  limitWhy(defs, node, out);

  const prefix = `${type} ${path}(${stateName}) `;
  const suite = node.suite;
  const cal = suite?.calendar === undefined ? undefined : calendarOf(suite.calendar);
  const a = node.attrs;
  if (cal !== undefined && a !== undefined) {
    const days = a.days ?? [];
    const dates = a.dates ?? [];
    for (const d of days) {
      const t = dayWhy(d, cal);
      if (t !== undefined) out.push({ kind: 'day', path, text: prefix + t, details: [] });
    }
    for (const d of dates) {
      const t = dateWhy(d, cal);
      if (t !== undefined) out.push({ kind: 'date', path, text: prefix + t, details: dateDetails(d, cal) });
    }
    for (const t of a.todays ?? []) {
      const s = timeWhy(t, cal, days, dates, true);
      if (s !== undefined) out.push({ kind: 'today', path, text: prefix + s, details: [] });
    }
    for (const t of a.times ?? []) {
      const s = timeWhy(t, cal, days, dates, false);
      if (s !== undefined) out.push({ kind: 'time', path, text: prefix + s, details: [] });
    }
    for (const c of a.crons ?? []) {
      const s = cronWhy(c, cal);
      if (s !== undefined) out.push({ kind: 'cron', path, text: prefix + s, details: cronDetails(c, cal) });
    }
  }
  // 5.13+: the model does not carry an aviso's "notified" state, so a queued node is held by it.
  for (const av of a?.avisos ?? []) {
    out.push({ kind: 'aviso', path, text: `${prefix} is Aviso dependent (${av.listener}), but no notification received`, details: [] });
  }
  for (const m of a?.mirrors ?? []) {
    out.push({ kind: 'mirror', path, text: `${prefix} is a Mirror of ${m.remotePath} at '${m.remoteHost}:${m.remotePort}'`, details: [] });
  }

  const ctx = new ModelExpressionContext(defs, path);
  const complete = node.complete;
  const completeAst = complete === undefined ? undefined : expressionAst(complete);
  if (complete !== undefined && completeAst !== undefined && (complete.free || evaluate(completeAst, ctx))) return;
  const trigger = node.trigger;
  const triggerAst = trigger === undefined ? undefined : expressionAst(trigger);
  if (trigger === undefined || triggerAst === undefined || trigger.free) return;
  if (evaluate(triggerAst, ctx)) return;
  const explained = explain(triggerAst, ctx);
  out.push({
    kind: 'trigger',
    path,
    text: `${prefix}expression ${whyExpressionText(triggerAst, ctx)} is false`,
    details: failingDetails(explained),
    expression: explained,
  });
}

/** Plain words for a node that is not queued/aborted. */
function stateDetails(defs: Defs, node: Node): string[] {
  const details: string[] = [];
  if (node.kind === 'suite' && node instanceof Suite && !node.begun) details.push('the suite has not been begun');
  if (node.state === NState.COMPLETE) {
    if (node.defStatus === DState.COMPLETE) details.push('defstatus complete: set complete on every begin/requeue');
    const complete = node.complete;
    const ast = complete === undefined ? undefined : expressionAst(complete);
    if (complete !== undefined && ast !== undefined) {
      if (complete.free) details.push('its complete expression was freed');
      else if (evaluate(ast, new ModelExpressionContext(defs, node.path))) details.push(`its complete expression holds: ${complete.text}`);
    }
    const r = node.repeat;
    if (r !== undefined && repeatFinished(r)) details.push(`repeat ${r.name} has run all its values`);
  } else if (node.state === NState.ACTIVE || node.state === NState.SUBMITTED) {
    if (node.kind === 'task' || node.kind === 'alias') details.push(`its job is ${NSTATE_NAMES[node.state]}`);
  }
  return details;
}

function repeatFinished(r: { kind: string; start: number; end: number; step: number; value: number; strings?: string[] | undefined; numbers?: number[] | undefined }): boolean {
  if (r.kind === 'day') return false;
  const n = r.strings?.length ?? r.numbers?.length;
  if (n !== undefined) return r.value >= n;
  return r.step > 0 ? r.value > r.end : r.value < r.end;
}

// ---- limits -----------------------------------------------------------------------------------

/** The limit an inlimit consumes (ecFlow InLimitMgr::find_limit). */
function findLimit(defs: Defs, node: Node, inlimit: InLimit): { limit: Limit; owner: string } | undefined {
  if (inlimit.path === '') {
    for (let n: Node | undefined = node; n !== undefined; n = n.parent) {
      const l = n.findLimit(inlimit.name);
      if (l !== undefined) return { limit: l, owner: n.path };
    }
    return undefined;
  }
  const target = resolveExprPath(node.path, inlimit.path, (p) => defs.findNode(p) !== undefined);
  const owner = target === undefined ? undefined : defs.findNode(target);
  const l = owner?.findLimit(inlimit.name);
  return l === undefined || owner === undefined ? undefined : { limit: l, owner: owner.path };
}

function fits(limit: Limit, tokens: number): boolean {
  return limit.value + tokens <= limit.max;
}

function limitWhy(defs: Defs, node: Node, out: WhyReason[]): void {
  const inlimits = node.attrs?.inlimits;
  if (inlimits === undefined || inlimits.length === 0) return;
  const found = inlimits.map((i) => ({ i, l: findLimit(defs, node, i) }));
  let withLimit = 0;
  let inside = 0;
  for (const { i, l } of found) {
    if (i.nodeOnly && i.incremented) continue;
    if (l === undefined) continue;
    withLimit++;
    if (fits(l.limit, i.tokens)) inside++;
  }
  if (withLimit === inside) return;
  for (const { i, l } of found) {
    if (l === undefined || fits(l.limit, i.tokens)) continue;
    const { limit, owner } = l;
    const paths = [...limit.paths].sort();
    let consumers = '(';
    for (let k = 0; k < paths.length; k++) {
      if (k === 4) {
        consumers += '...';
        break;
      }
      consumers += paths[k] + ',';
    }
    consumers += ')';
    const name = i.path === '' ? limit.name : `${i.path}:${limit.name}`;
    const details = [
      `${owner}:${limit.name} is at ${limit.value} of ${limit.max}; this node needs ${i.tokens} token${i.tokens === 1 ? '' : 's'}`,
    ];
    if (paths.length > 4) details.push(`consumed by ${paths.join(', ')}`);
    out.push({ kind: 'limit', path: node.path, text: `limit ${name} is full${consumers}`, details });
  }
}

// ---- time attributes (ecFlow TimeAttr/TodayAttr/DayAttr/DateAttr/CronAttr::why) ---------------

interface Cal {
  year: number;
  month: number;
  day: number;
  /** Minutes since midnight (suite time). */
  minutes: number;
  /** Day of week, 0 = sunday. */
  dow: number;
}

function calendarOf(c: Calendar): Cal | undefined {
  const t = parsePtime(c.suiteTime);
  if (t === undefined) return undefined;
  const dow = new Date(Date.UTC(t.year, t.month - 1, t.day)).getUTCDay();
  return { year: t.year, month: t.month, day: t.day, minutes: t.hour * 60 + t.minute, dow };
}

const MONTH_ABBR = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];

interface Ymd {
  y: number;
  m: number;
  d: number;
}

function addDays(date: Ymd, n: number): Ymd {
  const t = new Date(Date.UTC(date.y, date.m - 1, date.d + n));
  return { y: t.getUTCFullYear(), m: t.getUTCMonth() + 1, d: t.getUTCDate() };
}
function dowOf(date: Ymd): number {
  return new Date(Date.UTC(date.y, date.m - 1, date.d)).getUTCDay();
}
function isEndOfMonth(date: Ymd): boolean {
  return addDays(date, 1).d === 1;
}
/** boost `to_simple_string(date)`: `2026-Nov-29`. */
function dateText(date: Ymd): string {
  return `${date.y}-${MONTH_ABBR[date.m - 1]}-${String(date.d).padStart(2, '0')}`;
}
function today(c: Cal): Ymd {
  return { y: c.year, m: c.month, d: c.day };
}
function slotText(minutes: number): string {
  const h = Math.floor(minutes / 60);
  const m = minutes % 60;
  return `${String(h).padStart(2, '0')}:${String(m).padStart(2, '0')}`;
}

function hasIncrement(ts: TimeSeries): boolean {
  return ts.finish >= 0 && ts.incr > 0;
}
/** Current time for the series, in minutes: relative duration or suite time of day. */
function seriesNow(ts: TimeSeries, c: Cal): number {
  return ts.relative ? Math.floor(ts.relativeDuration / 60) : c.minutes;
}
function seriesFree(ts: TimeSeries, c: Cal): boolean {
  if (!ts.isValid) return false;
  const now = seriesNow(ts, c);
  if (!hasIncrement(ts)) return now === ts.start;
  for (let t = ts.nextTimeSlot; t <= ts.finish; t += ts.incr) if (t === now) return true;
  return false;
}
function nextSlot(ts: TimeSeries, c: Cal): number | undefined {
  const now = seriesNow(ts, c);
  if (!hasIncrement(ts)) return now >= ts.start ? undefined : ts.start;
  let t = ts.start;
  while (now >= t) t += ts.incr;
  return t > ts.finish ? undefined : t;
}
function requeueable(ts: TimeSeries, c: Cal): boolean {
  const now = seriesNow(ts, c);
  return now < ts.start || (hasIncrement(ts) && now < ts.finish);
}
function seriesText(ts: TimeSeries): string {
  let s = (ts.relative ? '+' : '') + slotText(ts.start);
  if (hasIncrement(ts)) s += ` ${slotText(ts.finish)} ${slotText(ts.incr)}`;
  return s;
}
/** TimeSeries::why */
function seriesWhy(ts: TimeSeries, c: Cal): string {
  const plus = ts.relative ? '+' : '';
  return ` ( next run time is ${plus}${slotText(ts.nextTimeSlot)}, current suite time is ${plus}${slotText(seriesNow(ts, c))} )`;
}

function dayNextDate(day: DayAttr, c: Cal): Ymd {
  let d = today(c);
  for (let i = 0; i < 7; i++) {
    d = addDays(d, 1);
    if (dowOf(d) === day.day) return d;
  }
  return today(c);
}

/** ecFlow DateAttr::next_matching_date, including its sticky match flags. */
function dateNextDate(date: DateAttr, c: Cal): Ymd {
  let d = today(c);
  let dayOk = date.day === 0;
  let monthOk = date.month === 0;
  let yearOk = date.year === 0;
  for (let i = 0; i < 365; i++) {
    d = addDays(d, 1);
    if (date.day !== 0 && d.d === date.day) dayOk = true;
    if (date.month !== 0 && d.m === date.month) monthOk = true;
    if (date.year !== 0 && d.y === date.year) yearOk = true;
    if (dayOk && monthOk && yearOk) return d;
  }
  return today(c);
}

/**
 * ecFlow's "next run on" for a date can be wrong (its search sticks to partial matches and gives
 * up after a year); say which day really matches next.
 */
function dateDetails(date: DateAttr, c: Cal): string[] {
  const wrong = dateText(dateNextDate(date, c));
  let d = today(c);
  for (let i = 0; i < 366 * 200; i++) {
    d = addDays(d, 1);
    if ((date.day === 0 || d.d === date.day) && (date.month === 0 || d.m === date.month) && (date.year === 0 || d.y === date.year)) {
      return dateText(d) === wrong ? [] : [`the next matching day is ${DAY_NAMES[dowOf(d)]} ${dateText(d)}`];
    }
    if (date.year !== 0 && d.y > date.year) break;
  }
  return ['no day matches any more'];
}

function cronDetails(cron: CronAttr, c: Cal): string[] {
  let wrong = addDays(today(c), 1);
  for (let i = 0; i < 3000 && !cronNextDateMatches(cron, wrong); i++) wrong = addDays(wrong, 1);
  let d = addDays(today(c), 1);
  for (let i = 0; i < 3000 && !cronDayMatches(cron, d); i++) d = addDays(d, 1);
  return dateText(d) === dateText(wrong) ? [] : [`the next matching day is ${DAY_NAMES[dowOf(d)]} ${dateText(d)}`];
}

function dayWhy(day: DayAttr, c: Cal): string | undefined {
  if (!day.expired && (day.free || dateText(today(c)) === day.date)) return undefined;
  const next = day.date !== '' ? day.date : dateText(dayNextDate(day, c));
  return ` is day dependent ( next run on ${DAY_NAMES[day.day]} ${next} the current day is ${DAY_NAMES[c.dow]} )`;
}

function dateWhy(date: DateAttr, c: Cal): string | undefined {
  if (date.free) return undefined;
  const matches =
    (date.day === 0 || c.day === date.day) && (date.month === 0 || c.month === date.month) && (date.year === 0 || c.year === date.year);
  if (matches) return undefined;
  return ` is date dependent ( next run on ${dateText(dateNextDate(date, c))} the current date is ${c.day}/${c.month}/${c.year} )`;
}

function timeWhy(t: TimeAttr, c: Cal, days: readonly DayAttr[], dates: readonly DateAttr[], isToday: boolean): string | undefined {
  const ts = t.series;
  if (t.free) return undefined;
  if (isToday && !hasIncrement(ts) && seriesNow(ts, c) > ts.start) return undefined;
  if (seriesFree(ts, c)) return undefined;
  let s = `is ${isToday ? 'today' : 'time'} `;
  if (days.length > 0) s += 'and day ';
  if (dates.length > 0) s += 'and date ';
  s += 'dependent';
  if (ts.isValid) {
    const now = seriesNow(ts, c);
    if (now < ts.start || (hasIncrement(ts) && now < ts.finish)) return s + seriesWhy(ts, c);
  }
  s += ` ( '${isToday ? 'today' : 'time'} ${seriesText(ts)}' has expired,`;
  if (requeueable(ts, c)) {
    const next = nextSlot(ts, c);
    if (next === undefined || !hasIncrement(ts)) s += ' *re-queue* to run at this time';
    else s += (isToday ? ' *re-queue* to run at' : ' *re-queue* to run at ') + slotText(next);
  } else if (ts.relative) {
    s += ' please *re-queue*, to reset the relative duration';
  } else {
    let min: Ymd | undefined;
    if (days.length > 0 || dates.length > 0) {
      const candidates = [...days.map((d) => dayNextDate(d, c)), ...dates.map((d) => dateNextDate(d, c))];
      for (const x of candidates) if (min === undefined || before(x, min)) min = x;
      s += ' next run at ';
    } else {
      min = addDays(today(c), 1);
      s += ' next run tomorrow at ';
    }
    s += `${slotText(ts.start)} ${dateText(min!)}`;
  }
  return s + ' )';
}

function before(a: Ymd, b: Ymd): boolean {
  return a.y !== b.y ? a.y < b.y : a.m !== b.m ? a.m < b.m : a.d < b.d;
}

function cronDayMatches(cron: CronAttr, d: Ymd): boolean {
  let week = cron.weekDays.length === 0 && cron.lastWeekDaysOfMonth.length === 0;
  const dow = dowOf(d);
  if (cron.weekDays.length > 0) week = cron.weekDays.includes(dow);
  if (!week && cron.lastWeekDaysOfMonth.length > 0) {
    const end = new Date(Date.UTC(d.y, d.m, 0)).getUTCDate();
    week = cron.lastWeekDaysOfMonth.includes(dow) && end - d.d < 7;
  }
  let dom = cron.daysOfMonth.length === 0;
  if (cron.daysOfMonth.length > 0 || cron.lastDayOfMonth) {
    dom = cron.daysOfMonth.includes(d.d) || (cron.lastDayOfMonth && isEndOfMonth(d));
  }
  const month = cron.months.length === 0 || cron.months.includes(d.m);
  return week && dom && month;
}

/**
 * The day test of ecFlow's CronAttr::next_date, kept as it is: with no `NL` week days the week-day
 * condition always holds (so `cron -w 1 10:00` is reported for tomorrow whatever day that is), and
 * an `NL` entry matches that week day anywhere in the month.
 */
function cronNextDateMatches(cron: CronAttr, d: Ymd): boolean {
  const dow = dowOf(d);
  const week = cron.weekDays.length === 0 || cron.weekDays.includes(dow);
  const lastWeek = cron.lastWeekDaysOfMonth.length === 0 || cron.lastWeekDaysOfMonth.includes(dow);
  let dom = cron.daysOfMonth.length === 0 && !cron.lastDayOfMonth;
  if (cron.daysOfMonth.length > 0 || cron.lastDayOfMonth) {
    dom = cron.daysOfMonth.includes(d.d) || (cron.lastDayOfMonth && isEndOfMonth(d));
  }
  const month = cron.months.length === 0 || cron.months.includes(d.m);
  return (week || lastWeek) && dom && month;
}

function cronWhy(cron: CronAttr, c: Cal): string | undefined {
  const ts = cron.series;
  if (cron.free) return undefined;
  const dayOk = cronDayMatches(cron, today(c));
  if (seriesFree(ts, c) && dayOk) return undefined;
  let s = 'is cron dependent';
  if (dayOk && ts.isValid) {
    const now = seriesNow(ts, c);
    if (now < ts.start || (hasIncrement(ts) && now < ts.finish)) return s + seriesWhy(ts, c);
  }
  if (requeueable(ts, c) && cron.weekDays.length === 0 && cron.daysOfMonth.length === 0 && cron.months.length === 0) {
    const next = nextSlot(ts, c);
    s += next === undefined ? ' ( *re-queue* to run at this time ' : ` ( *re-queue* to run at ${slotText(next)}`;
    s += ', otherwise next run is at ';
  } else {
    s += ' ( next run is at ';
  }
  let d = addDays(today(c), 1);
  for (let i = 0; i < 3000 && !cronNextDateMatches(cron, d); i++) d = addDays(d, 1);
  s += `${slotText(ts.start)} ${dateText(d)}, current time ${ts.relative ? '+' : ''}${slotText(seriesNow(ts, c))} ${dateText(today(c))} )`;
  return s;
}

/** The explained trigger of a node (undefined without trigger), for a Triggers/Why panel. */
export function explainTrigger(defs: Defs, node: Node, which: 'trigger' | 'complete' = 'trigger'): ExplainNode | undefined {
  const e: Expression | undefined = which === 'trigger' ? node.trigger : node.complete;
  const ast = e === undefined ? undefined : expressionAst(e);
  return ast === undefined ? undefined : explain(ast, new ModelExpressionContext(defs, node.path));
}
