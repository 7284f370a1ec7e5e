/**
 * Text of one attribute line, exactly as ecFlow 5.9.2 writes it (ecflow-protocol.md §10.3) and as
 * 5.17 writes the new kinds (ecflow-protocol-5.17.md §6.1). Each writer returns the line without
 * indentation and newline; `state` adds the `# …` state suffix of the state styles.
 *
 * Reproduced oddities: `event 2 ` (trailing blank when there is no name), `clock hybrid ` and
 * `endclock 31.12.2030 ` (trailing blank), `day … # date:…` always written in state styles,
 * newlines in labels and variables written as `\n`.
 *
 * Pure module: no Node or DOM types.
 */

import {
  AVISO_DEFAULTS,
  EVENT_NO_NUMBER,
  ExpressionJoin,
  MIRROR_DEFAULTS,
  type AutoRestoreAttr,
  type AutoTimeAttr,
  type AvisoAttr,
  type Calendar,
  type ClockAttr,
  type Event,
  type ExpressionPart,
  type GenericAttr,
  type InLimit,
  type Label,
  type LateAttr,
  type Limit,
  type Meter,
  type MirrorAttr,
  type QueueAttr,
  type Variable,
  type VerifyAttr,
  type ZombieAttr,
} from './attributes.js';
import type { CronAttr, DateAttr, DayAttr, TimeAttr, TimeSeries } from './time-attributes.js';
import type { Repeat } from './repeat.js';
import {
  CHILD_CMD_NAMES,
  DAY_NAMES,
  NSTATE_NAMES,
  ZOMBIE_ACTION_NAMES,
  ZOMBIE_TYPE_NAMES,
} from './types.js';
import { formatDuration, formatInstant, formatTimeSlot } from './time-format.js';

const nl = (s: string): string => (s.includes('\n') ? s.split('\n').join('\\n') : s);

export function variableText(v: Variable): string {
  return `edit ${v.name} '${nl(v.value)}'`;
}

export function labelText(l: Label, state: boolean): string {
  let out = `label ${l.name} "${nl(l.value)}"`;
  if (state && l.newValue !== '') out += ` # "${nl(l.newValue)}"`;
  return out;
}

export function meterText(m: Meter, state: boolean): string {
  let out = `meter ${m.name} ${m.min} ${m.max} ${m.colorChange}`;
  if (state && m.value !== m.min) out += ` # ${m.value}`;
  return out;
}

export function eventText(e: Event, state: boolean): string {
  let out = e.number === EVENT_NO_NUMBER ? `event ${e.name}` : `event ${e.number} ${e.name}`;
  if (e.initial) out += ' set';
  if (state && e.value !== e.initial) out += e.value ? ' # set' : ' # clear';
  return out;
}

export function limitText(l: Limit, state: boolean): string {
  let out = `limit ${l.name} ${l.max}`;
  if (state && l.value !== 0) {
    out += ` # ${l.value}`;
    for (const p of l.paths) out += ' ' + p;
  }
  return out;
}

export function inlimitText(i: InLimit, state: boolean): string {
  let out = 'inlimit ';
  if (i.nodeOnly) out += '-n ';
  if (i.submission) out += '-s ';
  out += i.path === '' ? i.name : `${i.path}:${i.name}`;
  if (i.tokens !== 1) out += ` ${i.tokens}`;
  if (state && i.incremented) out += ' # incremented:1';
  return out;
}

export function expressionPartText(keyword: 'trigger' | 'complete', p: ExpressionPart, free: boolean, state: boolean): string {
  const join = p.join === ExpressionJoin.AND ? ' -a ' : p.join === ExpressionJoin.OR ? ' -o ' : ' ';
  let out = keyword + join + p.text;
  if (state && p.join === ExpressionJoin.FIRST && free) out += ' # free';
  return out;
}

export function lateText(l: LateAttr, state: boolean): string {
  let out = 'late';
  if (l.submitted >= 0) out += ' -s +' + formatTimeSlot(l.submitted);
  if (l.active >= 0) out += ' -a ' + formatTimeSlot(l.active);
  if (l.complete >= 0) out += ' -c ' + (l.completeRelative ? '+' : '') + formatTimeSlot(l.complete);
  if (state && l.isLate) out += ' # late';
  return out;
}

export function seriesText(ts: TimeSeries): string {
  let out = (ts.relative ? '+' : '') + formatTimeSlot(ts.start);
  if (ts.finish >= 0) out += ' ' + formatTimeSlot(ts.finish) + ' ' + formatTimeSlot(ts.incr);
  return out;
}

export function seriesState(ts: TimeSeries, free: boolean): string {
  const nextChanged = ts.nextTimeSlot !== ts.start;
  const durChanged = ts.relativeDuration !== 0;
  if (!free && ts.isValid && !nextChanged && !durChanged) return '';
  let out = ' #';
  if (free) out += ' free';
  if (!ts.isValid) out += ' isValid:false';
  if (nextChanged) out += ' nextTimeSlot/' + formatTimeSlot(ts.nextTimeSlot);
  if (durChanged) out += ' relativeDuration/' + formatDuration(ts.relativeDuration);
  return out;
}

export function timeText(keyword: 'time' | 'today', t: TimeAttr, state: boolean): string {
  return keyword + ' ' + seriesText(t.series) + (state ? seriesState(t.series, t.free) : '');
}

export function dateText(d: DateAttr, state: boolean): string {
  const p = (n: number): string => (n === 0 ? '*' : String(n));
  return `date ${p(d.day)}.${p(d.month)}.${p(d.year)}` + (state && d.free ? ' # free' : '');
}

export function dayText(d: DayAttr, state: boolean): string {
  let out = 'day ' + (DAY_NAMES[d.day] ?? String(d.day));
  if (state) {
    let hash = false;
    if (d.free) {
      out += ' # free';
      hash = true;
    }
    if (d.expired) {
      out += hash ? ' expired' : ' # expired';
      hash = true;
    }
    out += (hash ? ' date:' : ' # date:') + (d.date === '' ? 'not-a-date-time' : d.date);
  }
  return out;
}

export function cronText(c: CronAttr, state: boolean): string {
  let out = 'cron ';
  if (c.weekDays.length > 0) {
    out += '-w ' + c.weekDays.join(',');
    out += c.lastWeekDaysOfMonth.length === 0 ? ' ' : ',';
  }
  if (c.lastWeekDaysOfMonth.length > 0) {
    if (c.weekDays.length === 0) out += '-w ';
    out += c.lastWeekDaysOfMonth.map((d) => d + 'L').join(',') + ' ';
  }
  if (c.daysOfMonth.length > 0) {
    out += '-d ' + c.daysOfMonth.join(',');
    if (!c.lastDayOfMonth) out += ' ';
  }
  if (c.lastDayOfMonth) out += c.daysOfMonth.length === 0 ? '-d L ' : ',L ';
  if (c.months.length > 0) out += '-m ' + c.months.join(',') + ' ';
  out += seriesText(c.series);
  if (state) out += seriesState(c.series, c.free);
  return out;
}

export function autoTimeText(keyword: 'autocancel' | 'autoarchive', a: AutoTimeAttr): string {
  let out = keyword + ' ';
  if (a.days) out += String(Math.floor(Math.floor(a.minutes / 60) / 24));
  else out += (a.relative ? '+' : '') + formatTimeSlot(a.minutes);
  if (a.idle) out += ' -i';
  return out;
}

export function autoRestoreText(a: AutoRestoreAttr): string {
  let out = 'autorestore';
  for (const p of a.paths) out += ' ' + p;
  return out;
}

export function zombieText(z: ZombieAttr): string {
  const cmds = z.childCmds.map((c) => CHILD_CMD_NAMES[c] ?? 'init').join(',');
  return `zombie ${ZOMBIE_TYPE_NAMES[z.type] ?? 'not_set'}:${ZOMBIE_ACTION_NAMES[z.action] ?? 'fob'}:${cmds}:${z.lifetime}`;
}

export function verifyText(v: VerifyAttr, state: boolean): string {
  return `verify ${NSTATE_NAMES[v.state] ?? 'unknown'}:${v.expected}` + (state ? ` # ${v.actual}` : '');
}

export function queueText(q: QueueAttr, state: boolean): string {
  let out = 'queue ' + q.name;
  for (const i of q.items) out += ' ' + i;
  if (state) {
    out += ' # ' + q.index;
    for (const s of q.states) out += ' ' + (NSTATE_NAMES[s] ?? 'unknown');
  }
  return out;
}

export function genericText(g: GenericAttr): string {
  let out = 'generic ' + g.name;
  for (const v of g.values) out += ' ' + v;
  return out;
}

export function repeatText(r: Repeat, state: boolean): string {
  const q = (s: string | number): string => ` "${s}"`;
  switch (r.kind) {
    case 'date':
      return `repeat date ${r.name} ${r.start} ${r.end} ${r.step}` + (state && r.value !== r.start ? ` # ${r.value}` : '');
    case 'integer':
      return (
        `repeat integer ${r.name} ${r.start} ${r.end}` +
        (r.step !== 1 ? ` ${r.step}` : '') +
        (state && r.value !== r.start ? ` # ${r.value}` : '')
      );
    case 'enumerated':
    case 'string':
      return `repeat ${r.kind} ${r.name}` + (r.strings ?? []).map(q).join('') + (state && r.value !== 0 ? ` # ${r.value}` : '');
    case 'datelist':
      return `repeat datelist ${r.name}` + (r.numbers ?? []).map(q).join('') + (state && r.value !== 0 ? ` # ${r.value}` : '');
    case 'day':
      return `repeat day ${r.step}`;
    case 'datetime':
      return (
        `repeat datetime ${r.name} ${formatInstant(r.start)} ${formatInstant(r.end)} ${formatDuration(r.step)}` +
        (state && r.value !== r.start ? ` # ${formatInstant(r.value)}` : '')
      );
    case 'datetimelist':
      return (
        `repeat datetimelist ${r.name}` +
        (r.numbers ?? []).map((n) => q(formatInstant(n))).join('') +
        (state && r.value !== 0 ? ` # ${r.value}` : '')
      );
  }
}

export function avisoText(a: AvisoAttr): string {
  let out = `aviso --name ${a.name} --listener ${a.listener}`;
  if (a.url !== '' && a.url !== AVISO_DEFAULTS.url) out += ' --url ' + a.url;
  if (a.schema !== '' && a.schema !== AVISO_DEFAULTS.schema) out += ' --schema ' + a.schema;
  if (a.polling !== '' && a.polling !== AVISO_DEFAULTS.polling) out += ' --polling ' + a.polling;
  out += ' --revision ' + a.revision;
  if (a.auth !== '' && a.auth !== AVISO_DEFAULTS.auth) out += ' --auth ' + a.auth;
  if (a.reason !== '') out += ' --reason ' + a.reason;
  return out;
}

export function mirrorText(m: MirrorAttr): string {
  let out = `mirror --name ${m.name} --remote_path ${m.remotePath}`;
  if (m.remoteHost !== '' && m.remoteHost !== MIRROR_DEFAULTS.remoteHost) out += ' --remote_host ' + m.remoteHost;
  if (m.remotePort !== '' && m.remotePort !== MIRROR_DEFAULTS.remotePort) out += ' --remote_port ' + m.remotePort;
  if (m.polling !== '' && m.polling !== MIRROR_DEFAULTS.polling) out += ' --polling ' + m.polling;
  if (m.ssl) out += ' --ssl';
  if (m.auth !== '' && m.auth !== MIRROR_DEFAULTS.auth) out += ' --remote_auth ' + m.auth;
  if (m.reason !== '') out += ' --reason ' + m.reason;
  return out;
}

export function clockText(c: ClockAttr, end: boolean): string {
  let out = end ? 'endclock ' : c.hybrid ? 'clock hybrid ' : 'clock real ';
  if (c.day !== 0) out += `${c.day}.${c.month}.${c.year} `;
  if (c.gain !== 0) out += (c.positiveGain ? '+' : '') + c.gain;
  return out;
}

export function calendarText(c: Calendar): string {
  let out = 'calendar';
  if (c.initTime === '') return out;
  out += ' initTime:' + c.initTime;
  out += ' suiteTime:' + c.suiteTime;
  out += ' duration:' + formatDuration(c.duration);
  out += ' initLocalTime:' + c.initLocalTime;
  out += ' lastTime:' + c.lastTime;
  if (c.increment !== 0) out += ' calendarIncrement:' + formatDuration(c.increment);
  if (c.dayChanged) out += ' dayChanged:1';
  return out;
}
