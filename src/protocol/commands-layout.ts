/**
 * The wire layout of every request: each command's own members in serialisation order
 * (ecflow-protocol.md §4.1-4.5, read from the 5.9.2 `serialize()` bodies and checked against the
 * captured vectors), with the TypeScript field each comes from, its type and the C++ default.
 * The encoder, the validator and the tests are all driven by this one table.
 *
 * Pure module: no Node or DOM types.
 */

import {
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
import { ForceState, QueryType, QueueAction } from './commands-types.js';
import type { Command, CommandName, TaskCommandName } from './commands-types.js';

/** How a member is written and checked. */
export type FieldType =
  | { kind: 'string' }
  | { kind: 'boolean' }
  /** A C++ `int`. */
  | { kind: 'int' }
  /** A C++ `int` that must not be negative (handles, counts, seconds). */
  | { kind: 'count' }
  /** A C++ `unsigned int` (change numbers). */
  | { kind: 'uint' }
  /** `std::vector<std::string>`. */
  | { kind: 'strings' }
  /** `std::vector<std::pair<string,string>>` from `NameValue[]`: `[{first, second}]`. */
  | { kind: 'pairs' }
  /** `std::vector<Variable>` from `NameValue[]`: `[{n_, v_}]`. */
  | { kind: 'variables' }
  /** A C++ enum; `forbidden` values exist but must never be sent (NO_CMD). */
  | { kind: 'enum'; name: string; values: Readonly<Record<string, number>>; forbidden?: readonly number[] }
  /** A string restricted to a vocabulary. */
  | { kind: 'oneOf'; values: readonly string[] }
  /** GroupCTSCmd.cmdVec_: polymorphic pointers to the child commands. */
  | { kind: 'children' };

type FieldOf<C> = Exclude<keyof C, 'cmd'> & string;

/** One member of a command. `default` undefined = the caller must give the field. */
export interface FieldLayout<C = unknown> {
  /** Member name on the wire. */
  wire: string;
  /** Field name in the TypeScript command. */
  field: FieldOf<C>;
  type: FieldType;
  default?: unknown;
  /** Optional cereal member: not written when this returns true for the value (§2.3). */
  omitWhen?: (value: unknown) => boolean;
}

type Layouts = { readonly [K in CommandName]: readonly FieldLayout<Extract<Command, { cmd: K }>>[] };

const STRING = { kind: 'string' } as const;
const BOOLEAN = { kind: 'boolean' } as const;
const INT = { kind: 'int' } as const;
const COUNT = { kind: 'count' } as const;
const UINT = { kind: 'uint' } as const;
const STRINGS = { kind: 'strings' } as const;
const en = (name: string, values: Readonly<Record<string, number>>, forbidden?: readonly number[]): FieldType =>
  forbidden === undefined ? { kind: 'enum', name, values } : { kind: 'enum', name, values, forbidden };
const oneOf = (values: readonly string[]): FieldType => ({ kind: 'oneOf', values });
const isEmptyArray = (v: unknown): boolean => Array.isArray(v) && v.length === 0;

/**
 * Own members of every command, in serialisation order (after the `value0` base part).
 *
 * @example
 * COMMAND_LAYOUTS.CtsCmd; // [{ wire: 'api_', field: 'api', type: {kind:'enum',...} }]
 */
export const COMMAND_LAYOUTS: Layouts = {
  ServerVersionCmd: [],
  CtsCmd: [{ wire: 'api_', field: 'api', type: en('CtsApi', CtsApi, [CtsApi.NO_CMD]) }],
  LogMessageCmd: [{ wire: 'msg_', field: 'msg', type: STRING }],
  LogCmd: [
    { wire: 'api_', field: 'api', type: en('LogApi', LogApi) },
    { wire: 'get_last_n_lines_', field: 'getLastNLines', type: COUNT, default: 100 },
    { wire: 'new_path_', field: 'newPath', type: STRING, default: '' },
  ],
  CheckPtCmd: [
    { wire: 'mode_', field: 'mode', type: en('CheckPtMode', CheckPtMode), default: CheckPtMode.UNDEFINED },
    { wire: 'check_pt_interval_', field: 'interval', type: COUNT, default: 0 },
    { wire: 'check_pt_save_time_alarm_', field: 'saveTimeAlarm', type: COUNT, default: 0 },
  ],
  CSyncCmd: [
    { wire: 'api_', field: 'api', type: en('SyncApi', SyncApi) },
    { wire: 'client_handle_', field: 'clientHandle', type: COUNT, default: 0 },
    { wire: 'client_state_change_no_', field: 'stateChangeNo', type: UINT, default: 0 },
    { wire: 'client_modify_change_no_', field: 'modifyChangeNo', type: UINT, default: 0 },
  ],
  ClientHandleCmd: [
    { wire: 'api_', field: 'api', type: en('ClientHandleApi', ClientHandleApi) },
    { wire: 'client_handle_', field: 'clientHandle', type: COUNT, default: 0 },
    { wire: 'drop_user_', field: 'dropUser', type: STRING, default: '' },
    { wire: 'suites_', field: 'suites', type: STRINGS, default: [] },
    { wire: 'auto_add_new_suites_', field: 'autoAddNewSuites', type: BOOLEAN, default: false },
  ],
  GroupCTSCmd: [
    { wire: 'cmdVec_', field: 'children', type: { kind: 'children' } },
    { wire: 'cli_', field: 'cli', type: BOOLEAN, default: false },
  ],
  ShowCmd: [],
  CtsNodeCmd: [
    { wire: 'api_', field: 'api', type: en('CtsNodeApi', CtsNodeApi, [CtsNodeApi.NO_CMD]) },
    { wire: 'absNodePath_', field: 'absNodePath', type: STRING, default: '' },
  ],
  LoadDefsCmd: [
    { wire: 'force_', field: 'force', type: BOOLEAN, default: false },
    { wire: 'defs_', field: 'defs', type: STRING },
    { wire: 'defs_filename_', field: 'defsFilename', type: STRING, default: '' },
  ],
  BeginCmd: [
    { wire: 'suiteName_', field: 'suiteName', type: STRING, default: '' },
    { wire: 'force_', field: 'force', type: BOOLEAN, default: false },
  ],
  DeleteCmd: [
    { wire: 'paths_', field: 'paths', type: STRINGS },
    { wire: 'force_', field: 'force', type: BOOLEAN, default: false },
  ],
  PathsCmd: [
    { wire: 'api_', field: 'api', type: en('PathsApi', PathsApi, [PathsApi.NO_CMD]) },
    { wire: 'paths_', field: 'paths', type: STRINGS },
    { wire: 'force_', field: 'force', type: BOOLEAN, default: false },
  ],
  RequeueNodeCmd: [
    { wire: 'paths_', field: 'paths', type: STRINGS },
    { wire: 'option_', field: 'option', type: en('RequeueOption', RequeueOption), default: RequeueOption.NO_OPTION },
  ],
  OrderNodeCmd: [
    { wire: 'absNodepath_', field: 'absNodePath', type: STRING },
    { wire: 'option_', field: 'option', type: en('OrderOption', OrderOption) },
  ],
  RunNodeCmd: [
    { wire: 'paths_', field: 'paths', type: STRINGS },
    { wire: 'force_', field: 'force', type: BOOLEAN, default: false },
  ],
  ForceCmd: [
    { wire: 'paths_', field: 'paths', type: STRINGS },
    { wire: 'stateOrEvent_', field: 'stateOrEvent', type: oneOf(ForceState) },
    { wire: 'recursive_', field: 'recursive', type: BOOLEAN, default: false },
    { wire: 'setRepeatToLastValue_', field: 'setRepeatToLastValue', type: BOOLEAN, default: false },
  ],
  FreeDepCmd: [
    { wire: 'paths_', field: 'paths', type: STRINGS },
    { wire: 'trigger_', field: 'trigger', type: BOOLEAN, default: true },
    { wire: 'all_', field: 'all', type: BOOLEAN, default: false },
    { wire: 'date_', field: 'date', type: BOOLEAN, default: false },
    { wire: 'time_', field: 'time', type: BOOLEAN, default: false },
  ],
  AlterCmd: [
    { wire: 'paths_', field: 'paths', type: STRINGS },
    { wire: 'name_', field: 'name', type: STRING, default: '' },
    { wire: 'value_', field: 'value', type: STRING, default: '' },
    { wire: 'add_attr_type_', field: 'addAttrType', type: en('AlterAdd', AlterAdd), default: AlterAdd.ADD_ATTR_ND },
    {
      wire: 'del_attr_type_',
      field: 'delAttrType',
      type: en('AlterDelete', AlterDelete),
      default: AlterDelete.DELETE_ATTR_ND,
    },
    {
      wire: 'change_attr_type_',
      field: 'changeAttrType',
      type: en('AlterChange', AlterChange),
      default: AlterChange.CHANGE_ATTR_ND,
    },
    { wire: 'flag_type_', field: 'flagType', type: en('Flag', Flag), default: Flag.NOT_SET },
    { wire: 'flag_', field: 'flag', type: BOOLEAN, default: false },
  ],
  ReplaceNodeCmd: [
    { wire: 'createNodesAsNeeded_', field: 'createNodesAsNeeded', type: BOOLEAN, default: false },
    { wire: 'force_', field: 'force', type: BOOLEAN, default: false },
    { wire: 'pathToNode_', field: 'pathToNode', type: STRING },
    { wire: 'path_to_defs_', field: 'pathToDefs', type: STRING, default: '' },
    { wire: 'clientDefs_', field: 'clientDefs', type: STRING },
  ],
  PlugCmd: [
    { wire: 'source_', field: 'source', type: STRING },
    { wire: 'dest_', field: 'dest', type: STRING },
  ],
  CFileCmd: [
    { wire: 'file_', field: 'file', type: en('FileKind', FileKind) },
    { wire: 'pathToNode_', field: 'pathToNode', type: STRING },
    { wire: 'max_lines_', field: 'maxLines', type: COUNT, default: 10000 },
  ],
  EditScriptCmd: [
    { wire: 'edit_type_', field: 'editType', type: en('EditScriptType', EditScriptType) },
    { wire: 'path_to_node_', field: 'pathToNode', type: STRING },
    { wire: 'user_file_contents_', field: 'userFileContents', type: STRINGS, default: [] },
    { wire: 'user_variables_', field: 'userVariables', type: { kind: 'pairs' }, default: [] },
    { wire: 'alias_', field: 'alias', type: BOOLEAN, default: false },
    { wire: 'run_', field: 'run', type: BOOLEAN, default: false },
  ],
  QueryCmd: [
    { wire: 'query_type_', field: 'queryType', type: oneOf(QueryType) },
    { wire: 'path_to_attribute_', field: 'pathToAttribute', type: STRING },
    { wire: 'attribute_', field: 'attribute', type: STRING, default: '' },
    { wire: 'path_to_task_', field: 'pathToTask', type: STRING, default: '' },
  ],
  ZombieCmd: [
    { wire: 'user_action_', field: 'userAction', type: en('ZombieAction', ZombieAction) },
    { wire: 'process_id_', field: 'processId', type: STRING, default: '' },
    { wire: 'password_', field: 'password', type: STRING, default: '' },
    { wire: 'paths_', field: 'paths', type: STRINGS },
  ],
  // ---- child commands (§4.5); their TaskCmd base part comes from the TaskIdentity ----
  InitCmd: [{ wire: 'var_to_add_', field: 'variables', type: { kind: 'variables' }, default: [], omitWhen: isEmptyArray }],
  CompleteCmd: [{ wire: 'var_to_del_', field: 'variablesToDelete', type: STRINGS, default: [], omitWhen: isEmptyArray }],
  AbortCmd: [{ wire: 'reason_', field: 'reason', type: STRING, default: '' }],
  EventCmd: [
    { wire: 'name_', field: 'name', type: STRING },
    // Written only when false (clear), §4.5.
    { wire: 'value_', field: 'value', type: BOOLEAN, default: true, omitWhen: (v) => v === true },
  ],
  MeterCmd: [
    { wire: 'name_', field: 'name', type: STRING },
    { wire: 'value_', field: 'value', type: INT },
  ],
  LabelCmd: [
    { wire: 'name_', field: 'name', type: STRING },
    { wire: 'label_', field: 'label', type: STRING },
  ],
  CtsWaitCmd: [{ wire: 'expression_', field: 'expression', type: STRING }],
  QueueCmd: [
    { wire: 'name_', field: 'name', type: STRING },
    { wire: 'action_', field: 'action', type: oneOf(QueueAction) },
    { wire: 'step_', field: 'step', type: STRING, default: '' },
    { wire: 'path_to_node_with_queue_', field: 'pathToNodeWithQueue', type: STRING, default: '' },
  ],
};

const TASK_COMMANDS: ReadonlySet<string> = new Set<TaskCommandName>([
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
 * True for the child (task) command names of §4.5.
 *
 * @example
 * isTaskCommandName('InitCmd'); // true
 */
export function isTaskCommandName(name: string): name is TaskCommandName {
  return TASK_COMMANDS.has(name);
}

/**
 * True for every command name this module knows (user and task commands).
 *
 * @example
 * isCommandName('CtsCmd'); // true
 */
export function isCommandName(name: unknown): name is CommandName {
  return typeof name === 'string' && Object.prototype.hasOwnProperty.call(COMMAND_LAYOUTS, name);
}
