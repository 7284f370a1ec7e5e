/**
 * Node attributes without a time series (ecflow-protocol.md §8.2, §10.3; ecflow-protocol-5.17.md
 * §5.2, §6.1): variables, labels, meters, events, limits, inlimits, trigger/complete expressions,
 * late, zombie, verify, queue, generic, autocancel/autoarchive/autorestore, aviso, mirror, and the
 * suite-only clock and calendar.
 *
 * Every class assigns all its fields in the constructor so that V8 gives all instances one shape.
 * Values are kept the way ecFlow keeps them (e.g. an aviso listener keeps its single quotes) so that
 * a model built from defs text and one built from cereal mementos compare equal.
 *
 * Pure module: no Node or DOM types.
 */

import type { Minutes } from './time-format.js';

/** `edit NAME 'value'`. Duplicate names may occur (5.17 mirrors); lookups take the last one. */
export class Variable {
  constructor(
    public name: string,
    public value: string,
  ) {}
}

/** `label name "value" # "current"`: `value` is the definition value, `newValue` the current one ('' = none). */
export class Label {
  constructor(
    public name: string,
    public value: string,
    public newValue: string,
  ) {}
}

/** `meter name min max [colourChange]`, current `value`. */
export class Meter {
  constructor(
    public name: string,
    public min: number,
    public max: number,
    public colorChange: number,
    public value: number,
  ) {}
}

/** No number on an event (ecFlow uses INT_MAX). */
export const EVENT_NO_NUMBER = -1;

/** `event [number] [name] [set]`: `initial` is the definition value (`set`), `value` the current one. */
export class Event {
  constructor(
    public number: number,
    public name: string,
    public value: boolean,
    public initial: boolean,
  ) {}
  /** Name, or the number as text when there is no name (ecFlow's name_or_number()). */
  get nameOrNumber(): string {
    return this.name !== '' ? this.name : String(this.number);
  }
}

/** `limit name max # value paths…`. */
export class Limit {
  constructor(
    public name: string,
    public max: number,
    public value: number,
    public paths: string[],
  ) {}
}

/** `inlimit [-n] [-s] [path:]name [tokens] # incremented:1`. */
export class InLimit {
  constructor(
    public name: string,
    public path: string,
    public tokens: number,
    public nodeOnly: boolean,
    public submission: boolean,
    public incremented: boolean,
  ) {}
}

/** How an expression part joins the previous ones: first line, `-a` (and) or `-o` (or). */
export const ExpressionJoin = { FIRST: 0, AND: 1, OR: 2 } as const;
export type ExpressionJoin = (typeof ExpressionJoin)[keyof typeof ExpressionJoin];

/** One `trigger`/`complete` line. */
export class ExpressionPart {
  constructor(
    public text: string,
    public join: ExpressionJoin,
  ) {}
}

/** A trigger or complete expression (several parts when `-a`/`-o` lines follow) and its free flag. */
export class Expression {
  constructor(
    public parts: ExpressionPart[],
    public free: boolean,
  ) {}
  /** The whole expression as one text, the way ecFlow composes it (`a AND b OR c`). */
  get text(): string {
    let out = '';
    for (const p of this.parts) {
      if (p.join === ExpressionJoin.AND) out += ' AND ';
      else if (p.join === ExpressionJoin.OR) out += ' OR ';
      out += p.text;
    }
    return out;
  }
}

/** `late [-s +hh:mm] [-a hh:mm] [-c [+]hh:mm] # late`. Times in minutes, -1 = not given. */
export class LateAttr {
  constructor(
    public submitted: Minutes,
    public active: Minutes,
    public complete: Minutes,
    public completeRelative: boolean,
    public isLate: boolean,
  ) {}
}

/** `zombie type:action:childcmds:lifetime` (indices into the ZOMBIE_* / CHILD_CMD_NAMES tables). */
export class ZombieAttr {
  constructor(
    public type: number,
    public action: number,
    public childCmds: number[],
    public lifetime: number,
  ) {}
}

/** `verify state:expected # actual`. */
export class VerifyAttr {
  constructor(
    public state: number,
    public expected: number,
    public actual: number,
  ) {}
}

/** `queue name items… # index states…`. */
export class QueueAttr {
  constructor(
    public name: string,
    public items: string[],
    public states: number[],
    public index: number,
  ) {}
}

/** `generic name values…`. */
export class GenericAttr {
  constructor(
    public name: string,
    public values: string[],
  ) {}
}

/**
 * `autocancel` / `autoarchive`: `+hh:mm` (relative), `hh:mm` or `N` days (then `minutes` = N*24*60);
 * autoarchive may have `-i` (idle).
 */
export class AutoTimeAttr {
  constructor(
    public minutes: Minutes,
    public relative: boolean,
    public days: boolean,
    public idle: boolean,
  ) {}
}

/** `autorestore path…`. */
export class AutoRestoreAttr {
  constructor(public paths: string[]) {}
}

/**
 * 5.13+ `aviso` (5.17 §5.2/§6.1). Fields as ecFlow stores them: `listener` and `reason` keep their
 * single quotes; unset options keep their `%ECF_AVISO_…%` placeholders. `parentPath` and
 * `resolvedListener` are only transmitted in mementos (value0 / value9).
 */
export class AvisoAttr {
  constructor(
    public name: string,
    public listener: string,
    public url: string,
    public schema: string,
    public polling: string,
    public revision: number,
    public auth: string,
    public reason: string,
    public parentPath: string,
    public resolvedListener: string,
  ) {}
}

/** Placeholders ecFlow keeps for aviso options that were not given. */
export const AVISO_DEFAULTS = {
  url: '%ECF_AVISO_URL%',
  schema: '%ECF_AVISO_SCHEMA%',
  polling: '%ECF_AVISO_POLLING%',
  auth: '%ECF_AVISO_AUTH%',
} as const;

/** 5.13+ `mirror` (5.17 §5.2/§6.1); unset options keep their `%ECF_MIRROR_…%` placeholders. */
export class MirrorAttr {
  constructor(
    public name: string,
    public remotePath: string,
    public remoteHost: string,
    public remotePort: string,
    public polling: string,
    public ssl: boolean,
    public auth: string,
    public reason: string,
  ) {}
}

/** Placeholders ecFlow keeps for mirror options that were not given. */
export const MIRROR_DEFAULTS = {
  remoteHost: '%ECF_MIRROR_REMOTE_HOST%',
  remotePort: '%ECF_MIRROR_REMOTE_PORT%',
  polling: '%ECF_MIRROR_REMOTE_POLLING%',
  auth: '%ECF_MIRROR_REMOTE_AUTH%',
} as const;

/** Suite `clock real|hybrid [d.m.yyyy] [[+]gain]` or `endclock …` (day 0 = no date). */
export class ClockAttr {
  constructor(
    public hybrid: boolean,
    public day: number,
    public month: number,
    public year: number,
    public gain: number,
    public positiveGain: boolean,
  ) {}
}

/**
 * Suite calendar (state only). Times are boost ptime texts such as `2026-Nov-26 07:13:35`, kept
 * verbatim; durations in seconds. `initTime === ''` means "not set" (no `calendar` line).
 */
export class Calendar {
  constructor(
    public initTime: string,
    public suiteTime: string,
    public duration: number,
    public initLocalTime: string,
    public lastTime: string,
    public increment: number,
    public dayChanged: boolean,
  ) {}
}
