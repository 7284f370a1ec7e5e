/**
 * Per-command request timeouts (ecflow-protocol.md §1: the C++ client uses 60 s for most user
 * commands, 600 s for load/sync/get, 190 s for task commands; NEWS is polled, so it gets less).
 *
 * | kind    | commands                                                               | default |
 * |---------|------------------------------------------------------------------------|---------|
 * | news    | CSyncCmd NEWS                                                          | 20 s    |
 * | long    | CSyncCmd SYNC/SYNC_FULL/SYNC_CLOCK, CtsNodeCmd GET/GET_STATE/MIGRATE, LoadDefsCmd | 600 s |
 * | task    | child commands (InitCmd, CompleteCmd, …)                               | 190 s   |
 * | default | everything else                                                        | 60 s    |
 *
 * A GroupCTSCmd takes the longest timeout of its children (a group containing a sync gets 600 s).
 * `byCommand` overrides a kind for one command name. `connect` bounds the connection (and TLS
 * handshake) phase inside the request timeout.
 */

import { EcflowError, ErrorCode } from '../errors.js';
import { CtsNodeApi, SyncApi } from '../protocol/commands-enums.js';
import type { Command, CommandName, UserCommand } from '../protocol/commands-types.js';

/** All in milliseconds; every field optional, defaults in `DEFAULT_TIMEOUTS`. */
export interface RequestTimeouts {
  readonly news?: number;
  readonly long?: number;
  readonly task?: number;
  readonly default?: number;
  /** Connection set-up (TCP connect, SOCKS, TLS handshake). */
  readonly connect?: number;
  /** Per command name, e.g. `{ LoadDefsCmd: 1_200_000 }`; wins over the kinds above. */
  readonly byCommand?: Readonly<Partial<Record<CommandName, number>>>;
}

export const DEFAULT_TIMEOUTS = {
  news: 20_000,
  long: 600_000,
  task: 190_000,
  default: 60_000,
  connect: 20_000,
} as const;

const TASK_COMMANDS: ReadonlySet<string> = new Set([
  'InitCmd',
  'CompleteCmd',
  'AbortCmd',
  'EventCmd',
  'MeterCmd',
  'LabelCmd',
  'CtsWaitCmd',
  'QueueCmd',
]);

/**
 * The timeout for `cmd`, in ms.
 *
 * @example
 * commandTimeoutMs({ cmd: 'CSyncCmd', api: SyncApi.NEWS }) // 20000
 * commandTimeoutMs({ cmd: 'LoadDefsCmd', defs: '' }, { long: 900_000 }) // 900000
 */
export function commandTimeoutMs(cmd: Command, timeouts: RequestTimeouts = {}): number {
  const override = timeouts.byCommand?.[cmd.cmd];
  if (override !== undefined) return override;
  if (cmd.cmd === 'GroupCTSCmd') {
    return Math.max(timeouts.default ?? DEFAULT_TIMEOUTS.default, ...cmd.children.map((c) => commandTimeoutMs(c, timeouts)));
  }
  if (TASK_COMMANDS.has(cmd.cmd)) return timeouts.task ?? DEFAULT_TIMEOUTS.task;
  const kind = userCommandKind(cmd as UserCommand);
  return timeouts[kind] ?? DEFAULT_TIMEOUTS[kind];
}

function userCommandKind(cmd: UserCommand): 'news' | 'long' | 'default' {
  switch (cmd.cmd) {
    case 'CSyncCmd':
      return cmd.api === SyncApi.NEWS ? 'news' : 'long';
    case 'CtsNodeCmd':
      return cmd.api === CtsNodeApi.GET || cmd.api === CtsNodeApi.GET_STATE || cmd.api === CtsNodeApi.MIGRATE
        ? 'long'
        : 'default';
    case 'LoadDefsCmd':
      return 'long';
    default:
      return 'default';
  }
}

/** Largest delay `setTimeout` honours (longer ones fire at once). */
const MAX_TIMER_MS = 2 ** 31 - 1;

/** Throws EcflowError(INVALID_ARGUMENT) unless `value` is a usable timeout in ms (0 < value < 2^31). */
export function validateTimeoutMs(name: string, value: number): void {
  if (!(Number.isFinite(value) && value > 0 && value <= MAX_TIMER_MS)) {
    throw new EcflowError(
      ErrorCode.INVALID_ARGUMENT,
      `${name} must be a positive number of milliseconds up to ${MAX_TIMER_MS}, got ${value}`,
    );
  }
}

/** Throws EcflowError(INVALID_ARGUMENT) if a configured timeout is not usable (see validateTimeoutMs). */
export function validateTimeouts(timeouts: RequestTimeouts): void {
  const all: [string, number | undefined][] = [
    ['news', timeouts.news],
    ['long', timeouts.long],
    ['task', timeouts.task],
    ['default', timeouts.default],
    ['connect', timeouts.connect],
    ...Object.entries(timeouts.byCommand ?? {}).map(([k, v]): [string, number | undefined] => [`byCommand.${k}`, v]),
  ];
  for (const [name, value] of all) {
    if (value !== undefined) validateTimeoutMs(`timeouts.${name}`, value);
  }
}
