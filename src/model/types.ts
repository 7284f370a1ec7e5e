/**
 * ecFlow enumerations and flags as plain `as const` tables (ecflow-protocol.md §8.4, §10.5, §10.6;
 * ecflow-protocol-5.17.md §2.2 for flag bit 25 `remote_error`).
 *
 * Pure module: no Node or DOM types.
 */

/** Node state (NState). The numbers are the wire values. */
export const NState = {
  UNKNOWN: 0,
  COMPLETE: 1,
  QUEUED: 2,
  ABORTED: 3,
  SUBMITTED: 4,
  ACTIVE: 5,
} as const;
export type NState = (typeof NState)[keyof typeof NState];

/** Names of node states, indexed by NState. */
export const NSTATE_NAMES = ['unknown', 'complete', 'queued', 'aborted', 'submitted', 'active'] as const;
export type NStateName = (typeof NSTATE_NAMES)[number];

/** Default status (DState): NState plus `suspended`. Default is QUEUED. */
export const DState = { ...NState, SUSPENDED: 6 } as const;
export type DState = (typeof DState)[keyof typeof DState];
export const DSTATE_NAMES = [...NSTATE_NAMES, 'suspended'] as const;

/** Server state (SState). RUNNING is the default and is not written in `defs_state`. */
export const SState = { HALTED: 0, SHUTDOWN: 1, RUNNING: 2 } as const;
export type SState = (typeof SState)[keyof typeof SState];
export const SSTATE_NAMES = ['HALTED', 'SHUTDOWN', 'RUNNING'] as const;

/** Print/parse styles of the defs text (ecflow PrintStyle). */
export const PrintStyle = { DEFS: 'DEFS', STATE: 'STATE', MIGRATE: 'MIGRATE', NET: 'NET' } as const;
export type PrintStyle = (typeof PrintStyle)[keyof typeof PrintStyle];

/** Child command types (zombie attribute `child_cmds_`). */
export const CHILD_CMD_NAMES = ['init', 'event', 'meter', 'label', 'wait', 'queue', 'abort', 'complete'] as const;
/** Zombie types (ZombieAttr `zombie_type_`), index = wire value. */
export const ZOMBIE_TYPE_NAMES = ['user', 'ecf', 'ecf_pid', 'ecf_passwd', 'ecf_pid_passwd', 'path', 'not_set'] as const;
/** Zombie user actions (ZombieAttr `action_`), index = wire value. */
export const ZOMBIE_ACTION_NAMES = ['fob', 'fail', 'adopt', 'remove', 'block', 'kill'] as const;
/** Day names for `day` attributes, index = wire value (0 = sunday). */
export const DAY_NAMES = ['sunday', 'monday', 'tuesday', 'wednesday', 'thursday', 'friday', 'saturday'] as const;

/** Flag bit numbers (§10.6, 5.17 §2.2): the protocol's table (NOT_SET, 19, is no flag). */
export { Flag } from '../protocol/commands-enums.js';

/** Known flags as [bit, text] in the order ecFlow prints them in `flag:` lists. */
const FLAG_ORDER: ReadonlyArray<readonly [number, string]> = [
  [0, 'force_aborted'],
  [1, 'user_edit'],
  [2, 'task_aborted'],
  [3, 'edit_failed'],
  [4, 'ecfcmd_failed'],
  [22, 'killcmd_failed'],
  [23, 'statuscmd_failed'],
  [5, 'no_script'],
  [6, 'killed'],
  [24, 'status'],
  [7, 'late'],
  [8, 'message'],
  [9, 'by_rule'],
  [10, 'queue_limit'],
  [11, 'task_waiting'],
  [12, 'locked'],
  [13, 'zombie'],
  [14, 'no_reque'],
  [15, 'archived'],
  [16, 'restored'],
  [17, 'threshold'],
  [18, 'sigterm'],
  [20, 'log_error'],
  [21, 'checkpt_error'],
  [25, 'remote_error'],
];

const flagBitByName = new Map<string, number>(FLAG_ORDER.map(([bit, name]) => [name, bit]));
const flagNameByBit = new Map<number, string>(FLAG_ORDER.map(([bit, name]) => [bit, name]));
/** Bits used for flag names we do not know (handed out from 31 downwards, process wide). */
let nextUnknownBit = 31;

/**
 * Bit number of a flag text. Unknown names (a newer server) get a free high bit so they survive a
 * parse/print round trip; `undefined` only when all spare bits are taken.
 *
 * @example flagBit('message') // 8
 */
export function flagBit(name: string): number | undefined {
  const known = flagBitByName.get(name);
  if (known !== undefined) return known;
  if (name === 'migrated') return undefined; // ecFlow 4.4 leftover, ignored by ecFlow too
  if (name.startsWith('flag') && /^flag([0-9]|[12][0-9]|3[01])$/.test(name)) return Number(name.slice(4));
  if (nextUnknownBit <= 25) return undefined;
  const bit = nextUnknownBit--;
  flagBitByName.set(name, bit);
  flagNameByBit.set(bit, name);
  return bit;
}

/** True when `name` is a flag known to ecFlow 5.9–5.17 (not a name invented at run time). */
export function isKnownFlagName(name: string): boolean {
  const bit = flagBitByName.get(name);
  return bit !== undefined && bit <= 25;
}

/**
 * The text of a flag bitmask as ecFlow writes it after `flag:` (comma separated, ecFlow's order;
 * unknown bits as `flag<N>`). Empty string for 0.
 *
 * @example flagsToText(292) // 'task_aborted,no_script,message'
 */
export function flagsToText(flags: number): string {
  if (flags === 0) return '';
  let out = '';
  let rest = flags >>> 0;
  for (const [bit, name] of FLAG_ORDER) {
    const m = (1 << bit) >>> 0;
    if (rest & m) {
      out = out === '' ? name : out + ',' + name;
      rest = (rest & ~m) >>> 0;
    }
  }
  for (let bit = 0; rest !== 0 && bit < 32; bit++) {
    const m = (1 << bit) >>> 0;
    if (rest & m) {
      const name = flagNameByBit.get(bit) ?? `flag${bit}`;
      out = out === '' ? name : out + ',' + name;
      rest = (rest & ~m) >>> 0;
    }
  }
  return out;
}

/** Names of the set flags, in print order. */
export function flagNames(flags: number): string[] {
  const text = flagsToText(flags);
  return text === '' ? [] : text.split(',');
}

/** Node kinds. */
export type NodeKind = 'suite' | 'family' | 'task' | 'alias';

/** Look up an NState by name; undefined when unknown. */
export function nstateFromName(name: string): NState | undefined {
  const i = (NSTATE_NAMES as readonly string[]).indexOf(name);
  return i < 0 ? undefined : (i as NState);
}

/** Look up a DState by name; undefined when unknown. */
export function dstateFromName(name: string): DState | undefined {
  const i = (DSTATE_NAMES as readonly string[]).indexOf(name);
  return i < 0 ? undefined : (i as DState);
}
