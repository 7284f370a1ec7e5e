/**
 * The numeric enumerations of the ecFlow protocol, as `as const` objects (ecflow-protocol.md §4.1-4.5,
 * §5, §8.4, §10.6; 5.13+ additions from ecflow-protocol-5.17.md §2.2). Values are the integers sent
 * on the wire; names follow the C++ enumerators.
 *
 * Every object has a matching type of its values (`CtsApi` is `0 | 1 | ... | 18`), and
 * `enumName(CtsApi, 8)` gives `'PING'` for messages.
 *
 * Pure module: no Node or DOM types.
 */

/** `CtsCmd.api_` (§4.2). NO_CMD (0) is never sent; out-of-range values crash the server. */
export const CtsApi = {
  NO_CMD: 0,
  RESTORE_DEFS_FROM_CHECKPT: 1,
  RESTART_SERVER: 2,
  SHUTDOWN_SERVER: 3,
  HALT_SERVER: 4,
  TERMINATE_SERVER: 5,
  RELOAD_WHITE_LIST_FILE: 6,
  FORCE_DEP_EVAL: 7,
  PING: 8,
  GET_ZOMBIES: 9,
  STATS: 10,
  SUITES: 11,
  DEBUG_SERVER_ON: 12,
  DEBUG_SERVER_OFF: 13,
  SERVER_LOAD: 14,
  STATS_RESET: 15,
  RELOAD_PASSWD_FILE: 16,
  STATS_SERVER: 17,
  RELOAD_CUSTOM_PASSWD_FILE: 18,
} as const;
export type CtsApi = (typeof CtsApi)[keyof typeof CtsApi];

/** `CSyncCmd.api_` (§4.1, §7). */
export const SyncApi = { NEWS: 0, SYNC: 1, SYNC_FULL: 2, SYNC_CLOCK: 3 } as const;
export type SyncApi = (typeof SyncApi)[keyof typeof SyncApi];

/** `ClientHandleCmd.api_` (§4.1). */
export const ClientHandleApi = {
  REGISTER: 0,
  DROP: 1,
  DROP_USER: 2,
  ADD: 3,
  REMOVE: 4,
  AUTO_ADD: 5,
  SUITES: 6,
} as const;
export type ClientHandleApi = (typeof ClientHandleApi)[keyof typeof ClientHandleApi];

/** `CtsNodeCmd.api_` (§4.3). NO_CMD (0) is never sent. */
export const CtsNodeApi = {
  NO_CMD: 0,
  JOB_GEN: 1,
  CHECK_JOB_GEN_ONLY: 2,
  GET: 3,
  WHY: 4,
  GET_STATE: 5,
  MIGRATE: 6,
} as const;
export type CtsNodeApi = (typeof CtsNodeApi)[keyof typeof CtsNodeApi];

/** `PathsCmd.api_` (§4.3). NO_CMD (0) is never sent. */
export const PathsApi = {
  NO_CMD: 0,
  SUSPEND: 1,
  RESUME: 2,
  KILL: 3,
  STATUS: 4,
  CHECK: 5,
  EDIT_HISTORY: 6,
  ARCHIVE: 7,
  RESTORE: 8,
} as const;
export type PathsApi = (typeof PathsApi)[keyof typeof PathsApi];

/** `RequeueNodeCmd.option_` (§4.3). */
export const RequeueOption = { NO_OPTION: 0, ABORT: 1, FORCE: 2 } as const;
export type RequeueOption = (typeof RequeueOption)[keyof typeof RequeueOption];

/** `OrderNodeCmd.option_` (§4.3). */
export const OrderOption = { TOP: 0, BOTTOM: 1, ALPHA: 2, ORDER: 3, UP: 4, DOWN: 5, RUNTIME: 6 } as const;
export type OrderOption = (typeof OrderOption)[keyof typeof OrderOption];

/** `CFileCmd.file_` (§4.3): which file of a task to fetch. */
export const FileKind = { script: 0, job: 1, jobout: 2, manual: 3, kill: 4, stat: 5 } as const;
export type FileKind = (typeof FileKind)[keyof typeof FileKind];

/** `EditScriptCmd.edit_type_` (§4.3). */
export const EditScriptType = {
  EDIT: 0,
  PREPROCESS: 1,
  SUBMIT: 2,
  PREPROCESS_USER_FILE: 3,
  SUBMIT_USER_FILE: 4,
} as const;
export type EditScriptType = (typeof EditScriptType)[keyof typeof EditScriptType];

/** `LogCmd.api_` (§4.1). */
export const LogApi = { GET: 0, CLEAR: 1, FLUSH: 2, NEW: 3, PATH: 4 } as const;
export type LogApi = (typeof LogApi)[keyof typeof LogApi];

/** `CheckPtCmd.mode_` (§4.1). UNDEFINED = leave the mode unchanged. */
export const CheckPtMode = { NEVER: 0, ON_TIME: 1, ALWAYS: 2, UNDEFINED: 3 } as const;
export type CheckPtMode = (typeof CheckPtMode)[keyof typeof CheckPtMode];

/** `AlterCmd.add_attr_type_` (§4.4; 11-14 need a 5.13/5.14+ server, a 5.9.2 server ignores them). */
export const AlterAdd = {
  ADD_TIME: 0,
  ADD_TODAY: 1,
  ADD_DATE: 2,
  ADD_DAY: 3,
  ADD_ZOMBIE: 4,
  ADD_VARIABLE: 5,
  /** "not set" sentinel. */
  ADD_ATTR_ND: 6,
  ADD_LATE: 7,
  ADD_LIMIT: 8,
  ADD_INLIMIT: 9,
  ADD_LABEL: 10,
  ADD_AVISO: 11,
  ADD_MIRROR: 12,
  ADD_EVENT: 13,
  ADD_METER: 14,
} as const;
export type AlterAdd = (typeof AlterAdd)[keyof typeof AlterAdd];

/** `AlterCmd.del_attr_type_` (§4.4; 20-21 need a 5.13+ server). */
export const AlterDelete = {
  DEL_VARIABLE: 0,
  DEL_TIME: 1,
  DEL_TODAY: 2,
  DEL_DATE: 3,
  DEL_DAY: 4,
  DEL_CRON: 5,
  DEL_EVENT: 6,
  DEL_METER: 7,
  DEL_LABEL: 8,
  DEL_TRIGGER: 9,
  DEL_COMPLETE: 10,
  DEL_REPEAT: 11,
  DEL_LIMIT: 12,
  DEL_LIMIT_PATH: 13,
  DEL_INLIMIT: 14,
  DEL_ZOMBIE: 15,
  /** "not set" sentinel. */
  DELETE_ATTR_ND: 16,
  DEL_LATE: 17,
  DEL_QUEUE: 18,
  DEL_GENERIC: 19,
  DEL_AVISO: 20,
  DEL_MIRROR: 21,
} as const;
export type AlterDelete = (typeof AlterDelete)[keyof typeof AlterDelete];

/** `AlterCmd.change_attr_type_` (§4.4; 18-19 need a 5.13+ server). */
export const AlterChange = {
  VARIABLE: 0,
  CLOCK_TYPE: 1,
  CLOCK_DATE: 2,
  CLOCK_GAIN: 3,
  EVENT: 4,
  METER: 5,
  LABEL: 6,
  TRIGGER: 7,
  COMPLETE: 8,
  REPEAT: 9,
  LIMIT_MAX: 10,
  LIMIT_VAL: 11,
  DEFSTATUS: 12,
  /** "not set" sentinel. */
  CHANGE_ATTR_ND: 13,
  CLOCK_SYNC: 14,
  LATE: 15,
  TIME: 16,
  TODAY: 17,
  AVISO: 18,
  MIRROR: 19,
} as const;
export type AlterChange = (typeof AlterChange)[keyof typeof AlterChange];

/**
 * Flag bit numbers (§10.6, REMOTE_ERROR 25 from 5.13). Used by `AlterCmd.flag_type_` (NOT_SET = 19
 * means "no flag operation") and as bit positions in `Flag.flag_` bitmasks.
 */
export const Flag = {
  FORCE_ABORT: 0,
  USER_EDIT: 1,
  TASK_ABORTED: 2,
  EDIT_FAILED: 3,
  JOBCMD_FAILED: 4,
  NO_SCRIPT: 5,
  KILLED: 6,
  LATE: 7,
  MESSAGE: 8,
  BYRULE: 9,
  QUEUELIMIT: 10,
  WAIT: 11,
  LOCKED: 12,
  ZOMBIE: 13,
  NO_REQUE_IF_SINGLE_TIME_DEP: 14,
  ARCHIVED: 15,
  RESTORED: 16,
  THRESHOLD: 17,
  ECF_SIGTERM: 18,
  /** "not set" sentinel, never a bit of a mask. */
  NOT_SET: 19,
  LOG_ERROR: 20,
  CHECKPT_ERROR: 21,
  KILLCMD_FAILED: 22,
  STATUSCMD_FAILED: 23,
  STATUS: 24,
  REMOTE_ERROR: 25,
} as const;
export type Flag = (typeof Flag)[keyof typeof Flag];

/**
 * The text names of the flags, as in `flag:` lists of the defs text and in `--alter set_flag <name>`
 * (§10.6). Indexed by bit number; 19 (NOT_SET) has none.
 */
export const FLAG_TEXT_NAMES: Readonly<Record<Exclude<Flag, 19>, string>> = {
  0: 'force_aborted',
  1: 'user_edit',
  2: 'task_aborted',
  3: 'edit_failed',
  4: 'ecfcmd_failed',
  5: 'no_script',
  6: 'killed',
  7: 'late',
  8: 'message',
  9: 'by_rule',
  10: 'queue_limit',
  11: 'task_waiting',
  12: 'locked',
  13: 'zombie',
  14: 'no_reque',
  15: 'archived',
  16: 'restored',
  17: 'threshold',
  18: 'sigterm',
  20: 'log_error',
  21: 'checkpt_error',
  22: 'killcmd_failed',
  23: 'statuscmd_failed',
  24: 'status',
  25: 'remote_error',
};

/** `ZombieCmd.user_action_` and `Zombie.user_action_` (ecf::User::Action, §8.4). */
export const ZombieAction = { FOB: 0, FAIL: 1, ADOPT: 2, REMOVE: 3, BLOCK: 4, KILL: 5 } as const;
export type ZombieAction = (typeof ZombieAction)[keyof typeof ZombieAction];

/** `Zombie.zombie_type_`, `BlockClientZombieCmd.zombie_type_` (ecf::Child::ZombieType, §5). */
export const ZombieType = {
  USER: 0,
  ECF: 1,
  ECF_PID: 2,
  ECF_PASSWD: 3,
  ECF_PID_PASSWD: 4,
  PATH: 5,
  NOT_SET: 6,
} as const;
export type ZombieType = (typeof ZombieType)[keyof typeof ZombieType];

/** Child (task) command kinds, ecf::Child::CmdType (§8.4): `Zombie.last_child_cmd_`, `ZombieAttr.child_cmds_`. */
export const ChildCmdType = {
  INIT: 0,
  EVENT: 1,
  METER: 2,
  LABEL: 3,
  WAIT: 4,
  QUEUE: 5,
  ABORT: 6,
  COMPLETE: 7,
} as const;
export type ChildCmdType = (typeof ChildCmdType)[keyof typeof ChildCmdType];

/** Node state (§8.4). */
export const NState = { UNKNOWN: 0, COMPLETE: 1, QUEUED: 2, ABORTED: 3, SUBMITTED: 4, ACTIVE: 5 } as const;
export type NState = (typeof NState)[keyof typeof NState];

/** Default status (defstatus, §8.4): NState plus SUSPENDED; the default is QUEUED. */
export const DState = {
  UNKNOWN: 0,
  COMPLETE: 1,
  QUEUED: 2,
  ABORTED: 3,
  SUBMITTED: 4,
  ACTIVE: 5,
  SUSPENDED: 6,
} as const;
export type DState = (typeof DState)[keyof typeof DState];

/** Server state (§8.4). */
export const SState = { HALTED: 0, SHUTDOWN: 1, RUNNING: 2 } as const;
export type SState = (typeof SState)[keyof typeof SState];

/** `StcCmd.api_` (§5). INVALID_ARGUMENT and END_OF_FILE are client-side only in C++. */
export const StcApi = {
  OK: 0,
  BLOCK_CLIENT_SERVER_HALTED: 1,
  BLOCK_CLIENT_ON_HOME_SERVER: 2,
  DELETE_ALL: 3,
  INVALID_ARGUMENT: 4,
  END_OF_FILE: 5,
} as const;
export type StcApi = (typeof StcApi)[keyof typeof StcApi];

/** `SNewsCmd.news_` (§7.1). */
export const News = { NO_NEWS: 0, NEWS: 1, DO_FULL_SYNC: 2 } as const;
export type News = (typeof News)[keyof typeof News];

/**
 * The name of `value` in an enum object, or `String(value)` when it has none.
 *
 * @example
 * enumName(CtsApi, 8); // 'PING'
 */
export function enumName(enumObject: Readonly<Record<string, number>>, value: number): string {
  for (const key in enumObject) {
    if (enumObject[key] === value) return key;
  }
  return String(value);
}

/**
 * True if `value` is one of the enum's values.
 *
 * @example
 * isEnumValue(SyncApi, 2); // true
 */
export function isEnumValue<E extends Readonly<Record<string, number>>>(
  enumObject: E,
  value: unknown,
): value is E[keyof E] {
  if (typeof value !== 'number') return false;
  for (const key in enumObject) {
    if (enumObject[key] === value) return true;
  }
  return false;
}
