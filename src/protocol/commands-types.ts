/**
 * Typed ecFlow requests: the user commands (ecflow-protocol.md §4.1-4.4) as the `UserCommand`
 * union and the child (task) commands (§4.5) as the `TaskCommand` union. The discriminant `cmd` is
 * the cereal `polymorphic_name`; fields are the C++ members in camelCase. Optional fields default to
 * what the C++ client uses (see each field), and `encodeRequest` fills them in.
 *
 * Pure module: no Node or DOM types.
 */

import type {
  AlterAdd,
  AlterChange,
  AlterDelete,
  CheckPtMode,
  ClientHandleApi,
  CtsApi,
  CtsNodeApi,
  EditScriptType,
  FileKind,
  Flag,
  LogApi,
  OrderOption,
  PathsApi,
  RequeueOption,
  SyncApi,
  ZombieAction,
} from './commands-enums.js';

/** A name/value pair: an EditScriptCmd user variable or an InitCmd variable. */
export interface NameValue {
  name: string;
  value: string;
}

/** `ForceCmd.stateOrEvent_`: a node state, or `set`/`clear` for paths of the form `/path/task:event`. */
export const ForceState = ['unknown', 'complete', 'queued', 'aborted', 'submitted', 'active', 'set', 'clear'] as const;
export type ForceState = (typeof ForceState)[number];

/** `QueryCmd.query_type_` (§4.3). */
export const QueryType = [
  'state',
  'dstate',
  'event',
  'meter',
  'label',
  'variable',
  'trigger',
  'limit',
  'limit_max',
  'repeat',
] as const;
export type QueryType = (typeof QueryType)[number];

/** `QueueCmd.action_` (§4.5). */
export const QueueAction = ['active', 'aborted', 'complete', 'no_of_aborted'] as const;
export type QueueAction = (typeof QueueAction)[number];

// ---- user commands, §4.1 ----

export interface ServerVersionCmd {
  cmd: 'ServerVersionCmd';
}
export interface CtsCmd {
  cmd: 'CtsCmd';
  /** 1..18; NO_CMD (0) and out-of-range values are refused (they crash the server). */
  api: CtsApi;
}
export interface LogMessageCmd {
  cmd: 'LogMessageCmd';
  msg: string;
}
export interface LogCmd {
  cmd: 'LogCmd';
  api: LogApi;
  /** Lines for GET; default 100 (the C++ default, also sent for other apis). */
  getLastNLines?: number;
  /** New log file path for NEW; default '' (reopen the current file). */
  newPath?: string;
}
export interface CheckPtCmd {
  cmd: 'CheckPtCmd';
  /** Default UNDEFINED (3) = keep the mode. All three defaults = just write a checkpoint now. */
  mode?: CheckPtMode;
  /** Seconds; default 0 = no change. */
  interval?: number;
  /** Seconds; default 0 = no change. */
  saveTimeAlarm?: number;
}
export interface CSyncCmd {
  cmd: 'CSyncCmd';
  api: SyncApi;
  /** Default 0 (no handle). SYNC_FULL must use 0 (§7.2 crash hazard). */
  clientHandle?: number;
  /** The client's state change number; default 0. */
  stateChangeNo?: number;
  /** The client's modify change number; default 0. */
  modifyChangeNo?: number;
}
export interface ClientHandleCmd {
  cmd: 'ClientHandleCmd';
  api: ClientHandleApi;
  /** Default 0. For REGISTER a non-zero handle is dropped first. */
  clientHandle?: number;
  /** DROP_USER: the user whose handles to drop; default '' (the caller). */
  dropUser?: string;
  /** REGISTER/ADD/REMOVE: suite names; default []. */
  suites?: readonly string[];
  /** REGISTER/AUTO_ADD; default false. */
  autoAddNewSuites?: boolean;
}
export interface GroupCTSCmd {
  cmd: 'GroupCTSCmd';
  /** Executed in order; at least one, no nested groups. */
  children: readonly UserCommand[];
  /** Set by the CLI; default false. */
  cli?: boolean;
}
export interface ShowCmd {
  cmd: 'ShowCmd';
}

// ---- node commands, §4.3 ----

export interface CtsNodeCmd {
  cmd: 'CtsNodeCmd';
  api: CtsNodeApi;
  /** Default '' = the whole defs (GET/GET_STATE/MIGRATE reply DefsCmd). */
  absNodePath?: string;
}
export interface LoadDefsCmd {
  cmd: 'LoadDefsCmd';
  /** Default false: loading an existing suite fails. */
  force?: boolean;
  /** The whole defs as NET-style text (§10). */
  defs: string;
  /** Informational; default ''. */
  defsFilename?: string;
}
export interface BeginCmd {
  cmd: 'BeginCmd';
  /** Default '' = begin all suites. */
  suiteName?: string;
  force?: boolean;
}
export interface DeleteCmd {
  cmd: 'DeleteCmd';
  /** An empty list deletes EVERYTHING (reply StcCmd DELETE_ALL). */
  paths: readonly string[];
  force?: boolean;
}
export interface PathsCmd {
  cmd: 'PathsCmd';
  api: PathsApi;
  paths: readonly string[];
  force?: boolean;
}
export interface RequeueNodeCmd {
  cmd: 'RequeueNodeCmd';
  paths: readonly string[];
  /** Default NO_OPTION (0). */
  option?: RequeueOption;
}
export interface OrderNodeCmd {
  cmd: 'OrderNodeCmd';
  absNodePath: string;
  option: OrderOption;
}
export interface RunNodeCmd {
  cmd: 'RunNodeCmd';
  paths: readonly string[];
  force?: boolean;
}
export interface ForceCmd {
  cmd: 'ForceCmd';
  paths: readonly string[];
  stateOrEvent: ForceState;
  recursive?: boolean;
  setRepeatToLastValue?: boolean;
}
export interface FreeDepCmd {
  cmd: 'FreeDepCmd';
  paths: readonly string[];
  /** Default true (the C++ default: free the trigger). */
  trigger?: boolean;
  all?: boolean;
  date?: boolean;
  time?: boolean;
}
/** §4.4. Unused operation slots keep their "not set" sentinels (6, 16, 13, 19). */
export interface AlterCmd {
  cmd: 'AlterCmd';
  paths: readonly string[];
  name?: string;
  value?: string;
  /** Default ADD_ATTR_ND (6). */
  addAttrType?: AlterAdd;
  /** Default DELETE_ATTR_ND (16). */
  delAttrType?: AlterDelete;
  /** Default CHANGE_ATTR_ND (13). */
  changeAttrType?: AlterChange;
  /** Default NOT_SET (19). */
  flagType?: Flag;
  /** true = set the flag, false = clear it; default false. */
  flag?: boolean;
}
export interface ReplaceNodeCmd {
  cmd: 'ReplaceNodeCmd';
  createNodesAsNeeded?: boolean;
  force?: boolean;
  pathToNode: string;
  /** Informational; default ''. */
  pathToDefs?: string;
  /** The whole client defs as NET text, containing the node at `pathToNode`. */
  clientDefs: string;
}
export interface PlugCmd {
  cmd: 'PlugCmd';
  source: string;
  dest: string;
}
export interface CFileCmd {
  cmd: 'CFileCmd';
  file: FileKind;
  pathToNode: string;
  /** Default 10000. */
  maxLines?: number;
}
export interface EditScriptCmd {
  cmd: 'EditScriptCmd';
  editType: EditScriptType;
  pathToNode: string;
  /** PREPROCESS_USER_FILE / SUBMIT_USER_FILE: the script lines; default []. */
  userFileContents?: readonly string[];
  /** SUBMIT / SUBMIT_USER_FILE: variables; default []. */
  userVariables?: readonly NameValue[];
  alias?: boolean;
  run?: boolean;
}
export interface QueryCmd {
  cmd: 'QueryCmd';
  queryType: QueryType;
  pathToAttribute: string;
  /** Attribute name, trigger expression, or repeat "" / "next" / "prev"; default ''. */
  attribute?: string;
  /** Default ''. */
  pathToTask?: string;
}
export interface ZombieCmd {
  cmd: 'ZombieCmd';
  userAction: ZombieAction;
  processId?: string;
  password?: string;
  paths: readonly string[];
}

/** Every user command a UI or CLI sends (§4.1-4.4). */
export type UserCommand =
  | ServerVersionCmd
  | CtsCmd
  | LogMessageCmd
  | LogCmd
  | CheckPtCmd
  | CSyncCmd
  | ClientHandleCmd
  | GroupCTSCmd
  | ShowCmd
  | CtsNodeCmd
  | LoadDefsCmd
  | BeginCmd
  | DeleteCmd
  | PathsCmd
  | RequeueNodeCmd
  | OrderNodeCmd
  | RunNodeCmd
  | ForceCmd
  | FreeDepCmd
  | AlterCmd
  | ReplaceNodeCmd
  | PlugCmd
  | CFileCmd
  | EditScriptCmd
  | QueryCmd
  | ZombieCmd;

// ---- child (task) commands, §4.5 ----

export interface InitCmd {
  cmd: 'InitCmd';
  /** Variables to add to the task (sent only when non-empty). */
  variables?: readonly NameValue[];
}
export interface CompleteCmd {
  cmd: 'CompleteCmd';
  /** Variable names to delete from the task (sent only when non-empty). */
  variablesToDelete?: readonly string[];
}
export interface AbortCmd {
  cmd: 'AbortCmd';
  reason?: string;
}
export interface EventCmd {
  cmd: 'EventCmd';
  name: string;
  /** true = set (default), false = clear. */
  value?: boolean;
}
export interface MeterCmd {
  cmd: 'MeterCmd';
  name: string;
  value: number;
}
export interface LabelCmd {
  cmd: 'LabelCmd';
  name: string;
  label: string;
}
export interface CtsWaitCmd {
  cmd: 'CtsWaitCmd';
  expression: string;
}
export interface QueueCmd {
  cmd: 'QueueCmd';
  name: string;
  action: QueueAction;
  step?: string;
  /** Default '' = search for the queue up the node tree. */
  pathToNodeWithQueue?: string;
}

/** The commands a job sends (§4.5). */
export type TaskCommand = InitCmd | CompleteCmd | AbortCmd | EventCmd | MeterCmd | LabelCmd | CtsWaitCmd | QueueCmd;

/** Any request. */
export type Command = UserCommand | TaskCommand;
export type CommandName = Command['cmd'];
export type UserCommandName = UserCommand['cmd'];
export type TaskCommandName = TaskCommand['cmd'];

/** Who sends a user command (§3). */
export interface RequestIdentity {
  /** `cl_host_`: the client's host name, only used for logging; must be non-empty. */
  host: string;
  /** `user_`: the user name; an empty user is always denied, so it is refused. */
  user: string;
  /** `pswd_`: the crypt(3) hash of the password (§12); sent only when set and non-empty. */
  passwordHash?: string;
  /** `cu_`: custom user (checked against ECF_CUSTOM_PASSWD); sent only when true. */
  customUser?: boolean;
}

/** Who sends a child command: the job's identity (§3, §4.5). */
export interface TaskIdentity {
  /** `cl_host_`: the job's host name; must be non-empty. */
  host: string;
  /** `path_to_submittable_`: ECF_NAME, the task path. */
  path: string;
  /** `jobs_password_`: ECF_PASS. */
  jobsPassword: string;
  /** `process_or_remote_id_`: ECF_RID. */
  processId: string;
  /** `try_no_`: ECF_TRYNO. */
  tryNo: number;
}
