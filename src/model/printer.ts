/**
 * Printer of the defs text (ecflow-protocol.md §10), reproducing ecFlow 5.9.2's `Defs::print`:
 *
 *  - `DEFS`: what `ecflow_client --get` prints — the definition without state, indented by two
 *    blanks per level, preceded by the automatically added `extern` lines;
 *  - `STATE`: what `ecflow_client --get_state` prints — `defs_state STATE …`, server variables,
 *    `# server state:` and the state comments. **Differences** to the real client: the generated
 *    variables (`# edit ECF_JOB '…'`, `# edit YYYY '…'`, …) and the `# Trigger Evaluation Tree`
 *    blocks are not printed (they are computed by the C++ client, not transmitted); the
 *    `# (free)` line under a freed trigger/complete is printed;
 *  - `NET` / `MIGRATE`: the wire formats, without indentation (used for round-trip tests; MIGRATE
 *    same apart from the style word; `history` lines are printed in every state style when present).
 *
 * Pure module: no Node or DOM types.
 */

import * as T from './attr-text.js';
import type { Defs } from './defs.js';
import { Alias, Family, Suite, Task, type Node, type Submittable } from './node.js';
import { DSTATE_NAMES, DState, NSTATE_NAMES, NState, SSTATE_NAMES, SState, flagsToText } from './types.js';
import { formatDuration } from './time-format.js';
import { autoExterns } from './externs.js';

export type PrintStyleName = 'DEFS' | 'STATE' | 'NET' | 'MIGRATE';

export interface PrintOptions {
  /** Version written on the first line (default: the defs' own version, else 5.9.2). */
  version?: string;
  /** Indent two blanks per level (default: DEFS and STATE yes, NET and MIGRATE no). */
  indent?: boolean;
  /** DEFS/STATE: add the `extern` lines ecflow_client computes (default true). */
  externs?: boolean;
}

/**
 * Print a whole defs. `DEFS` gives exactly what `ecflow_client --get` prints; `STATE` what
 * `ecflow_client --get_state` prints minus the generated variables (`# edit ECF_JOB …`) and the
 * `# Trigger Evaluation Tree` blocks, which the C++ client computes itself. The first line carries
 * `options.version`, else the version of the server that wrote the text (ecflow_client writes its
 * own version there).
 *
 * @example
 * printDefs(defs, 'DEFS'); // same text as `ecflow_client --get`
 * printDefs(defs, 'STATE', { version: '5.9.2' });
 */
export function printDefs(defs: Defs, style: PrintStyleName, options: PrintOptions = {}): string {
  const w = new Writer(style, options.indent ?? (style === 'DEFS' || style === 'STATE'));
  w.raw('#' + (options.version ?? (defs.version !== '' ? defs.version : '5.9.2')));
  if (style !== 'DEFS') {
    let line = 'defs_state ' + style;
    if (defs.state !== NState.UNKNOWN) line += ' state>:' + NSTATE_NAMES[defs.state];
    if (defs.flags !== 0) line += ' flag:' + flagsToText(defs.flags);
    if (defs.stateChange !== 0) line += ' state_change:' + defs.stateChange;
    if (defs.modifyChange !== 0) line += ' modify_change:' + defs.modifyChange;
    if (defs.serverState !== SState.RUNNING) line += ' server_state:' + SSTATE_NAMES[defs.serverState];
    line += ' cal_count:' + defs.calCount;
    w.raw(line);
    for (const v of defs.serverVariables) w.line(1, T.variableText(v));
    for (const v of defs.builtinServerVariables) w.line(1, T.variableText(v) + ' # server');
    if (defs.history !== undefined) {
      for (const [path, msgs] of defs.history) {
        w.line(1, 'history ' + path + ' ' + msgs.map((m) => '\b' + m.split('\n').join('\\n')).join(''));
      }
    }
  }
  if (style === 'STATE') w.raw('# server state: ' + SSTATE_NAMES[defs.serverState]);
  if ((style === 'DEFS' || style === 'STATE') && options.externs !== false) {
    for (const e of autoExterns(defs)) w.raw('extern ' + e);
  }
  for (const suite of defs.suites) w.node(suite, 0);
  w.raw('# enddef');
  return w.out;
}

/**
 * Print one node and its subtree (like SNodeCmd text: `--get=/path`). A suite is printed without
 * `defs_state`.
 *
 * @example printNode(defs.findNode('/s/f')!, 'NET');
 */
export function printNode(node: Node, style: PrintStyleName, options: PrintOptions = {}): string {
  const w = new Writer(style, options.indent ?? (style === 'DEFS' || style === 'STATE'));
  w.node(node, node instanceof Suite ? 0 : 1);
  return w.out;
}

class Writer {
  out = '';
  readonly state: boolean;
  constructor(
    readonly style: PrintStyleName,
    readonly indent: boolean,
  ) {
    this.state = style !== 'DEFS';
  }

  raw(s: string): void {
    this.out += s + '\n';
  }

  line(level: number, s: string): void {
    this.out += this.indent && level > 0 ? '  '.repeat(level) + s + '\n' : s + '\n';
  }

  node(node: Node, level: number): void {
    if (node instanceof Suite) {
      this.line(level, 'suite ' + node.name + this.nodeState(node));
      this.attributes(node, level + 1);
      if (node.clock !== undefined) this.line(level + 1, T.clockText(node.clock, false));
      if (node.endClock !== undefined) this.line(level + 1, T.clockText(node.endClock, true));
      if (this.state && node.calendar !== undefined && node.calendar.initTime !== '') {
        this.line(level + 1, T.calendarText(node.calendar));
      }
      for (const c of node.children) this.node(c, level + 1);
      this.line(level, 'endsuite');
    } else if (node instanceof Family) {
      this.line(level, 'family ' + node.name + this.nodeState(node));
      this.attributes(node, level + 1);
      for (const c of node.children) this.node(c, level + 1);
      this.line(level, 'endfamily');
    } else if (node instanceof Task) {
      this.line(level, 'task ' + node.name + this.nodeState(node));
      this.attributes(node, level + 1);
      if (this.state && node.aliases.length > 0) {
        for (const a of node.aliases) this.node(a, level + 2);
        this.line(level + 2, 'endalias');
      }
    } else if (node instanceof Alias) {
      this.line(level, 'alias ' + node.name + this.nodeState(node));
      this.attributes(node, level + 1);
    }
  }

  /** ` # begun:1 alias_no:… passwd:… rid:… abort<:…>abort try:… state:… dur:… flag:… suspended:1 rt:…` */
  nodeState(node: Node): string {
    if (!this.state) return '';
    let s = '';
    if (node instanceof Suite && node.begun) s += ' begun:1';
    if (node instanceof Task && node.aliasNo !== 0) s += ' alias_no:' + node.aliasNo;
    if (node instanceof Task || node instanceof Alias) s += submittableState(node);
    if (node.state !== NState.UNKNOWN) s += ' state:' + NSTATE_NAMES[node.state];
    if (node.dur !== 0) s += ' dur:' + formatDuration(node.dur);
    if (node.flags !== 0) s += ' flag:' + flagsToText(node.flags);
    if (node.suspended) s += ' suspended:1';
    if (node.rt !== 0) s += ' rt:' + formatDuration(node.rt);
    return s === '' ? '' : ' #' + s;
  }

  attributes(node: Node, level: number): void {
    const st = this.state;
    if (node.defStatus !== DState.QUEUED) this.line(level, 'defstatus ' + DSTATE_NAMES[node.defStatus]);
    const a = node.attrs;
    if (a === undefined) return;
    if (a.late !== undefined) this.line(level, T.lateText(a.late, st));
    for (const which of ['complete', 'trigger'] as const) {
      const e = a[which];
      if (e === undefined) continue;
      for (const p of e.parts) this.line(level, T.expressionPartText(which, p, e.free, st));
      if (this.style === 'STATE' && e.free) this.line(level, '# (free)');
    }
    if (a.repeat !== undefined) this.line(level, T.repeatText(a.repeat, st));
    if (a.variables !== undefined) for (const v of a.variables) this.line(level, T.variableText(v));
    if (a.limits !== undefined) for (const l of a.limits) this.line(level, T.limitText(l, st));
    if (a.inlimits !== undefined) for (const i of a.inlimits) this.line(level, T.inlimitText(i, st));
    if (a.labels !== undefined) for (const l of a.labels) this.line(level, T.labelText(l, st));
    if (a.meters !== undefined) for (const m of a.meters) this.line(level, T.meterText(m, st));
    if (a.events !== undefined) for (const e of a.events) this.line(level, T.eventText(e, st));
    if (a.times !== undefined) for (const t of a.times) this.line(level, T.timeText('time', t, st));
    if (a.todays !== undefined) for (const t of a.todays) this.line(level, T.timeText('today', t, st));
    if (a.dates !== undefined) for (const d of a.dates) this.line(level, T.dateText(d, st));
    if (a.days !== undefined) for (const d of a.days) this.line(level, T.dayText(d, st));
    if (a.crons !== undefined) for (const c of a.crons) this.line(level, T.cronText(c, st));
    if (a.avisos !== undefined) for (const x of a.avisos) this.line(level, T.avisoText(x));
    if (a.mirrors !== undefined) for (const x of a.mirrors) this.line(level, T.mirrorText(x));
    if (a.autoCancel !== undefined) this.line(level, T.autoTimeText('autocancel', a.autoCancel));
    if (a.autoArchive !== undefined) this.line(level, T.autoTimeText('autoarchive', a.autoArchive));
    if (a.autoRestore !== undefined) this.line(level, T.autoRestoreText(a.autoRestore));
    if (a.zombies !== undefined) for (const z of a.zombies) this.line(level, T.zombieText(z));
    if (a.verifies !== undefined) for (const v of a.verifies) this.line(level, T.verifyText(v, st));
    if (a.queues !== undefined) for (const q of a.queues) this.line(level, T.queueText(q, st));
    if (a.generics !== undefined) for (const g of a.generics) this.line(level, T.genericText(g));
    if (a.unknown !== undefined) for (const u of a.unknown) this.line(level, u);
  }
}

function submittableState(n: Submittable): string {
  let s = '';
  if (n.jobsPassword !== '' && n.jobsPassword !== '_DJP_') s += ' passwd:' + n.jobsPassword;
  if (n.rid !== '') s += ' rid:' + n.rid;
  if (n.abortReason !== '') {
    s += ' abort<:' + n.abortReason.split('\n').join('\\n').split(';').join(' ') + '>abort';
  }
  if (n.tryNo !== 0) s += ' try:' + n.tryNo;
  return s;
}
