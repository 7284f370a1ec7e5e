/**
 * A short, human form of a command for error messages and logs, in the style of the ecflow_client
 * options (`--suspend=/s1`), which is how ecflow_client itself reports failures:
 * `Error: request( --suspend=/s1 ) failed!  Server reply: ...` (ecflow-protocol.md §11).
 * Long texts (defs, labels, messages) are shortened; passwords are never shown.
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
  FLAG_TEXT_NAMES,
  FileKind,
  Flag,
  LogApi,
  OrderOption,
  PathsApi,
  RequeueOption,
  SyncApi,
  ZombieAction,
  enumName,
} from './commands-enums.js';
import type { Command } from './commands-types.js';

const MAX_TEXT = 48;

function short(text: string): string {
  const oneLine = text.replace(/\s+/g, ' ').trim();
  return oneLine.length > MAX_TEXT ? `${oneLine.slice(0, MAX_TEXT - 1)}…` : oneLine;
}

function paths(list: readonly string[]): string {
  if (list.length <= 3) return list.join(' ');
  return `${list.slice(0, 3).join(' ')} … (${list.length} paths)`;
}

function words(...parts: (string | false | undefined)[]): string {
  return parts.filter((p): p is string => typeof p === 'string' && p !== '').join(' ');
}

const CTS_OPTION: Record<number, string> = {
  [CtsApi.RESTORE_DEFS_FROM_CHECKPT]: '--restore_from_checkpt',
  [CtsApi.RESTART_SERVER]: '--restart',
  [CtsApi.SHUTDOWN_SERVER]: '--shutdown',
  [CtsApi.HALT_SERVER]: '--halt',
  [CtsApi.TERMINATE_SERVER]: '--terminate',
  [CtsApi.RELOAD_WHITE_LIST_FILE]: '--reloadwsfile',
  [CtsApi.FORCE_DEP_EVAL]: '--force-dep-eval',
  [CtsApi.PING]: '--ping',
  [CtsApi.GET_ZOMBIES]: '--zombie_get',
  [CtsApi.STATS]: '--stats',
  [CtsApi.SUITES]: '--suites',
  [CtsApi.DEBUG_SERVER_ON]: '--debug_server_on',
  [CtsApi.DEBUG_SERVER_OFF]: '--debug_server_off',
  [CtsApi.SERVER_LOAD]: '--server_load',
  [CtsApi.STATS_RESET]: '--stats_reset',
  [CtsApi.RELOAD_PASSWD_FILE]: '--reloadpasswdfile',
  [CtsApi.STATS_SERVER]: '--stats_server',
  [CtsApi.RELOAD_CUSTOM_PASSWD_FILE]: '--reloadcustompasswdfile',
};

const CTS_NODE_OPTION: Record<number, string> = {
  [CtsNodeApi.JOB_GEN]: '--job_gen',
  [CtsNodeApi.CHECK_JOB_GEN_ONLY]: '--check_job_gen_only',
  [CtsNodeApi.GET]: '--get',
  [CtsNodeApi.WHY]: '--why',
  [CtsNodeApi.GET_STATE]: '--get_state',
  [CtsNodeApi.MIGRATE]: '--migrate',
};

const SYNC_OPTION: Record<number, string> = {
  [SyncApi.NEWS]: '--news',
  [SyncApi.SYNC]: '--sync',
  [SyncApi.SYNC_FULL]: '--sync_full',
  [SyncApi.SYNC_CLOCK]: '--sync_clock',
};

/** The attribute words of `--alter`, derived from the enum names (ADD_TIME -> time, LIMIT_VAL -> limit_value). */
function alterWord(enumObject: Readonly<Record<string, number>>, value: number): string {
  const name = enumName(enumObject, value).replace(/^(ADD_|DEL_)/, '').toLowerCase();
  return name === 'limit_val' ? 'limit_value' : name;
}

function alterText(c: Extract<Command, { cmd: 'AlterCmd' }>): string {
  const target = paths(c.paths);
  const nv = words(c.name !== undefined ? short(c.name) : '', c.value !== undefined ? short(c.value) : '');
  const ops: string[] = [];
  if (c.addAttrType !== undefined && c.addAttrType !== AlterAdd.ADD_ATTR_ND) {
    ops.push(words('add', alterWord(AlterAdd, c.addAttrType), nv));
  }
  if (c.delAttrType !== undefined && c.delAttrType !== AlterDelete.DELETE_ATTR_ND) {
    ops.push(words('delete', alterWord(AlterDelete, c.delAttrType), nv));
  }
  if (c.changeAttrType !== undefined && c.changeAttrType !== AlterChange.CHANGE_ATTR_ND) {
    ops.push(words('change', alterWord(AlterChange, c.changeAttrType), nv));
  }
  if (c.flagType !== undefined && c.flagType !== Flag.NOT_SET) {
    const flagName = (FLAG_TEXT_NAMES as Record<number, string>)[c.flagType] ?? String(c.flagType);
    ops.push(words(c.flag === true ? 'set_flag' : 'clear_flag', flagName));
  }
  if (ops.length === 0) ops.push(words('sort', nv));
  return `--alter ${ops.join('; ')} ${target}`.trimEnd();
}

/**
 * A short CLI-like description of a command, for error messages.
 *
 * @example
 * describeCommand({ cmd: 'PathsCmd', api: PathsApi.SUSPEND, paths: ['/s1'] }); // '--suspend /s1'
 * `request( ${describeCommand(cmd)} ) failed`; // the ecflow_client wording
 */
export function describeCommand(cmd: Command): string {
  switch (cmd.cmd) {
    case 'ServerVersionCmd':
      return '--server_version';
    case 'CtsCmd':
      return CTS_OPTION[cmd.api] ?? `CtsCmd(api=${String(cmd.api)})`;
    case 'LogMessageCmd':
      return `--msg=${short(cmd.msg)}`;
    case 'LogCmd': {
      const api = enumName(LogApi, cmd.api).toLowerCase();
      if (cmd.api === LogApi.GET) return `--log=get ${cmd.getLastNLines ?? 100}`;
      if (cmd.api === LogApi.NEW) return words(`--log=new`, cmd.newPath);
      return `--log=${api}`;
    }
    case 'CheckPtCmd': {
      const mode = cmd.mode === undefined || cmd.mode === CheckPtMode.UNDEFINED ? '' : enumName(CheckPtMode, cmd.mode).toLowerCase();
      const args = words(mode, cmd.interval ? String(cmd.interval) : '', cmd.saveTimeAlarm ? `alarm:${cmd.saveTimeAlarm}` : '');
      return args === '' ? '--check_pt' : `--check_pt=${args}`;
    }
    case 'CSyncCmd': {
      const option = SYNC_OPTION[cmd.api] ?? `CSyncCmd(api=${String(cmd.api)})`;
      if (cmd.api === SyncApi.SYNC_FULL) return `${option}=${cmd.clientHandle ?? 0}`;
      return `${option}=${cmd.clientHandle ?? 0} ${cmd.stateChangeNo ?? 0} ${cmd.modifyChangeNo ?? 0}`;
    }
    case 'ClientHandleCmd': {
      const h = cmd.clientHandle ?? 0;
      const suites = (cmd.suites ?? []).join(' ');
      switch (cmd.api) {
        case ClientHandleApi.REGISTER:
          return `--ch_register=${words(h ? `${h}` : '', String(cmd.autoAddNewSuites ?? false), suites)}`;
        case ClientHandleApi.DROP:
          return `--ch_drop=${h}`;
        case ClientHandleApi.DROP_USER:
          return words('--ch_drop_user', cmd.dropUser);
        case ClientHandleApi.ADD:
          return `--ch_add=${words(String(h), suites)}`;
        case ClientHandleApi.REMOVE:
          return `--ch_rem=${words(String(h), suites)}`;
        case ClientHandleApi.AUTO_ADD:
          return `--ch_auto_add=${h} ${String(cmd.autoAddNewSuites ?? false)}`;
        case ClientHandleApi.SUITES:
          return '--ch_suites';
        default:
          return `ClientHandleCmd(api=${String((cmd as { api: unknown }).api)})`;
      }
    }
    case 'GroupCTSCmd':
      return `--group="${cmd.children.map((c) => describeCommand(c).replace(/^--/, '')).join('; ')}"`;
    case 'ShowCmd':
      return '--show';
    case 'CtsNodeCmd': {
      const option = CTS_NODE_OPTION[cmd.api] ?? `CtsNodeCmd(api=${String(cmd.api)})`;
      return cmd.absNodePath ? `${option}=${cmd.absNodePath}` : option;
    }
    case 'LoadDefsCmd':
      return `--load=${words(cmd.defsFilename || `(${cmd.defs.length} characters of defs)`, cmd.force === true && 'force')}`;
    case 'BeginCmd':
      return `--begin=${words(cmd.suiteName || '(all suites)', cmd.force === true && '--force')}`;
    case 'DeleteCmd':
      return `--delete=${words(cmd.force === true && 'force', cmd.paths.length === 0 ? '_all_' : paths(cmd.paths))}`;
    case 'PathsCmd': {
      const option = cmd.api === PathsApi.NO_CMD ? 'PathsCmd(NO_CMD)' : `--${enumName(PathsApi, cmd.api).toLowerCase()}`;
      // ecFlow prints path commands with a blank: `--suspend /s1` (as in edit history and errors).
      return words(option, cmd.force === true && 'force', paths(cmd.paths));
    }
    case 'RequeueNodeCmd': {
      const option = cmd.option === undefined || cmd.option === RequeueOption.NO_OPTION ? '' : enumName(RequeueOption, cmd.option).toLowerCase();
      return option === '' ? `--requeue ${paths(cmd.paths)}` : `--requeue=${words(option, paths(cmd.paths))}`;
    }
    case 'OrderNodeCmd':
      return `--order=${cmd.absNodePath} ${enumName(OrderOption, cmd.option).toLowerCase()}`;
    case 'RunNodeCmd':
      return `--run=${words(cmd.force === true && 'force', paths(cmd.paths))}`;
    case 'ForceCmd':
      return `--force=${words(cmd.stateOrEvent, cmd.recursive === true && 'recursive', cmd.setRepeatToLastValue === true && 'full', paths(cmd.paths))}`;
    case 'FreeDepCmd': {
      const kinds = words(
        cmd.all === true && 'all',
        cmd.date === true && 'date',
        cmd.time === true && 'time',
        cmd.trigger === false ? '' : cmd.all === true ? '' : 'trigger',
      );
      return `--free-dep=${words(kinds, paths(cmd.paths))}`;
    }
    case 'AlterCmd':
      return alterText(cmd);
    case 'ReplaceNodeCmd':
      return `--replace=${words(cmd.pathToNode, cmd.pathToDefs, cmd.createNodesAsNeeded === true && 'parent', cmd.force === true && 'force')}`;
    case 'PlugCmd':
      return `--plug=${cmd.source} ${cmd.dest}`;
    case 'CFileCmd': {
      const kind = enumName(FileKind, cmd.file);
      return `--file=${words(cmd.pathToNode, kind, cmd.maxLines !== undefined ? String(cmd.maxLines) : '')}`;
    }
    case 'EditScriptCmd': {
      const type = ['edit', 'pre_process', 'submit', 'pre_process_file', 'submit_file'][cmd.editType] ?? enumName(EditScriptType, cmd.editType);
      return `--edit_script=${cmd.pathToNode} ${type}`;
    }
    case 'QueryCmd':
      return `--query=${words(cmd.queryType, cmd.pathToAttribute + (cmd.attribute ? `:${short(cmd.attribute)}` : ''))}`;
    case 'ZombieCmd':
      return `--zombie_${enumName(ZombieAction, cmd.userAction).toLowerCase()}=${paths(cmd.paths)}`;
    case 'InitCmd':
      return '--init';
    case 'CompleteCmd':
      return '--complete';
    case 'AbortCmd':
      return cmd.reason ? `--abort=${short(cmd.reason)}` : '--abort';
    case 'EventCmd':
      return `--event=${words(cmd.name, cmd.value === false && 'clear')}`;
    case 'MeterCmd':
      return `--meter=${cmd.name} ${cmd.value}`;
    case 'LabelCmd':
      return `--label=${cmd.name} ${short(cmd.label)}`;
    case 'CtsWaitCmd':
      return `--wait=${short(cmd.expression)}`;
    case 'QueueCmd':
      return `--queue=${words(cmd.name, cmd.action, cmd.step, cmd.pathToNodeWithQueue)}`;
    default:
      return `unknown command ${String((cmd as { cmd?: unknown }).cmd)}`;
  }
}
