/**
 * The UI's actions as ecFlow user commands, the way ecflow_ui's node menu sends them
 * (ecflow-ui-reference.md §1.5; the same mapping as the CLI's client-actions.ts / alter-args.ts):
 *
 *   suspend/resume/kill/status  --suspend/--resume/--kill/--status  (PathsCmd)
 *   rerun                       --force=queued
 *   execute                     --run
 *   requeue / requeue-aborted   --requeue=force / --requeue=abort
 *   set-complete / set-aborted  --force=complete / --force=aborted
 *   free-deps                   --free-dep=<all|trigger|time|date>
 *   defstatus                   --alter change defstatus <state>
 *   force (admin)               --force=<state> recursive
 *   set-event / clear-event     --alter change event <name> set|clear
 *   reset-limit                 --alter change limit_value <name> 0
 *   begin                       --begin=<suite>            (one per suite)
 *   order                       --order=<path> <how>       (one per node)
 *   add-label                   --alter add label <name> <value>
 *   clear-flag                  --alter clear_flag <flag>
 *   variable-add/change/delete  --alter add|change|delete variable (changing an inherited variable
 *                               adds a local copy, like ecflow_ui)
 *   zombie-fob/fail/adopt/remove/kill   --zombie_<x> with the zombie's pid and password
 *   server-restart/halt/shutdown/checkpoint (admin)  --restart, --halt=yes, --shutdown=yes, --check_pt
 *
 * A multi-selection is ONE command with every path where ecFlow takes a list.
 */

import {
  AlterAdd,
  AlterChange,
  AlterDelete,
  CtsApi,
  FLAG_TEXT_NAMES,
  ForceState,
  OrderOption,
  PathsApi,
  RequeueOption,
  ZombieAction,
  type Flag,
  type UserCommand,
} from '../protocol/commands.js';
import type { Zombie } from '../protocol/replies.js';
import type { Defs } from '../model/defs.js';
import { DSTATE_NAMES } from '../model/types.js';
import { badRequest, UiRefusal } from './ui-errors.js';
import { UiErrorCode, type UiAction, type UiActionArgs } from './ui-protocol.js';

/** Actions on the server itself (admin mode only). */
const SERVER_ACTIONS = new Set<UiAction>(['server-restart', 'server-halt', 'server-shutdown', 'server-checkpoint']);
/** Actions that need admin mode. */
const ADMIN_ACTIONS = new Set<UiAction>([...SERVER_ACTIONS, 'force']);
/** Actions that may name the server ('' or '/') as their path. */
const SERVER_PATH_OK = new Set<UiAction>(['variable-add', 'variable-change', 'variable-delete', 'clear-flag', ...SERVER_ACTIONS]);

const ZOMBIE_ACTIONS: Partial<Record<UiAction, ZombieAction>> = {
  'zombie-fob': ZombieAction.FOB,
  'zombie-fail': ZombieAction.FAIL,
  'zombie-adopt': ZombieAction.ADOPT,
  'zombie-remove': ZombieAction.REMOVE,
  'zombie-kill': ZombieAction.KILL,
};

const ORDER: Record<string, OrderOption> = {
  top: OrderOption.TOP,
  bottom: OrderOption.BOTTOM,
  up: OrderOption.UP,
  down: OrderOption.DOWN,
  alpha: OrderOption.ALPHA,
  alphabetically: OrderOption.ALPHA,
  order: OrderOption.ORDER,
  runtime: OrderOption.RUNTIME,
};

export interface ActionContext {
  /** The live model (to tell a node's own variable from an inherited one). */
  readonly defs: Defs | undefined;
  /** The server's zombies (for zombie-* actions), fetched on demand. */
  zombies(): Promise<readonly Zombie[]>;
}

/** True for actions that need `args.admin`. */
export function needsAdmin(action: UiAction): boolean {
  return ADMIN_ACTIONS.has(action);
}

/**
 * The user commands for an action on `paths`. Throws UiRefusal (BAD_REQUEST, ADMIN_REQUIRED) for
 * a request the UI must not send.
 *
 * @example
 * await actionCommands('requeue', ['/s/f/t1', '/s/f/t2'], {}, ctx)
 * // [{ cmd: 'RequeueNodeCmd', paths: ['/s/f/t1', '/s/f/t2'], option: RequeueOption.FORCE }]
 */
export async function actionCommands(
  action: UiAction,
  rawPaths: readonly string[],
  args: UiActionArgs,
  ctx: ActionContext,
): Promise<UserCommand[]> {
  if (ADMIN_ACTIONS.has(action) && args.admin !== true) {
    throw new UiRefusal(UiErrorCode.ADMIN_REQUIRED, `'${action}' is only offered in admin mode`);
  }
  if (SERVER_ACTIONS.has(action)) return serverAction(action);
  const paths = checkPaths(action, rawPaths);
  const name = (): string => {
    const n = args.name;
    if (typeof n !== 'string' || n === '' || /\s/.test(n)) throw badRequest(`'${action}' needs a name (args.name) without white space`);
    return n;
  };
  const value = (): string => {
    if (typeof args.value !== 'string') throw badRequest(`'${action}' needs a value (args.value)`);
    return args.value;
  };
  switch (action) {
    case 'suspend':
      return [{ cmd: 'PathsCmd', api: PathsApi.SUSPEND, paths }];
    case 'resume':
      return [{ cmd: 'PathsCmd', api: PathsApi.RESUME, paths }];
    case 'kill':
      return [{ cmd: 'PathsCmd', api: PathsApi.KILL, paths }];
    case 'status':
      return [{ cmd: 'PathsCmd', api: PathsApi.STATUS, paths }];
    case 'rerun':
      return [{ cmd: 'ForceCmd', paths, stateOrEvent: 'queued', recursive: false }];
    case 'execute':
      return [{ cmd: 'RunNodeCmd', paths, force: false }];
    case 'requeue':
      return [{ cmd: 'RequeueNodeCmd', paths, option: RequeueOption.FORCE }];
    case 'requeue-aborted':
      return [{ cmd: 'RequeueNodeCmd', paths, option: RequeueOption.ABORT }];
    case 'set-complete':
      return [{ cmd: 'ForceCmd', paths, stateOrEvent: 'complete', recursive: false }];
    case 'set-aborted':
      return [{ cmd: 'ForceCmd', paths, stateOrEvent: 'aborted', recursive: false }];
    case 'free-deps': {
      const kind = args.kind ?? 'trigger';
      if (!['all', 'trigger', 'time', 'date'].includes(kind)) throw badRequest(`free-deps: kind must be all, trigger, time or date, not '${kind}'`);
      return [{ cmd: 'FreeDepCmd', paths, trigger: kind === 'trigger', all: kind === 'all', date: kind === 'date', time: kind === 'time' }];
    }
    case 'defstatus': {
      const kind = args.kind ?? '';
      if (!(DSTATE_NAMES as readonly string[]).includes(kind)) throw badRequest(`defstatus: kind must be one of ${DSTATE_NAMES.join(', ')}`);
      return [{ cmd: 'AlterCmd', paths, changeAttrType: AlterChange.DEFSTATUS, name: kind }];
    }
    case 'force': {
      const kind = args.kind ?? '';
      const states = ForceState.filter((s) => s !== 'set' && s !== 'clear');
      if (!(states as readonly string[]).includes(kind)) throw badRequest(`force: kind must be one of ${states.join(', ')}`);
      return [{ cmd: 'ForceCmd', paths, stateOrEvent: kind as ForceState, recursive: true }];
    }
    case 'set-event':
    case 'clear-event':
      return [{ cmd: 'AlterCmd', paths, changeAttrType: AlterChange.EVENT, name: name(), value: action === 'set-event' ? 'set' : 'clear' }];
    case 'reset-limit':
      return [{ cmd: 'AlterCmd', paths, changeAttrType: AlterChange.LIMIT_VAL, name: name(), value: '0' }];
    case 'begin': {
      const suites = [...new Set(paths.map((p) => p.split('/')[1] ?? ''))];
      return suites.map((suiteName) => ({ cmd: 'BeginCmd', suiteName, force: false }));
    }
    case 'order': {
      const option = ORDER[args.kind ?? ''];
      if (option === undefined) throw badRequest(`order: kind must be one of top, bottom, up, down, alpha, runtime`);
      return paths.map((absNodePath) => ({ cmd: 'OrderNodeCmd', absNodePath, option }));
    }
    case 'add-label':
      return [{ cmd: 'AlterCmd', paths, addAttrType: AlterAdd.ADD_LABEL, name: name(), value: value() }];
    case 'clear-flag': {
      const flagName = name();
      const entry = Object.entries(FLAG_TEXT_NAMES).find(([, text]) => text === flagName);
      if (entry === undefined) throw badRequest(`clear-flag: unknown flag '${flagName}'`);
      return [{ cmd: 'AlterCmd', paths, flagType: Number(entry[0]) as Flag, flag: false }];
    }
    case 'variable-add':
      return [{ cmd: 'AlterCmd', paths, addAttrType: AlterAdd.ADD_VARIABLE, name: name(), value: value() }];
    case 'variable-change': {
      // ecflow_ui: editing an inherited (or generated) variable creates a local copy.
      const n = name();
      const v = value();
      const local = paths.filter((p) => hasOwnVariable(ctx.defs, p, n));
      const inherited = paths.filter((p) => !local.includes(p));
      const out: UserCommand[] = [];
      if (local.length > 0) out.push({ cmd: 'AlterCmd', paths: local, changeAttrType: AlterChange.VARIABLE, name: n, value: v });
      if (inherited.length > 0) out.push({ cmd: 'AlterCmd', paths: inherited, addAttrType: AlterAdd.ADD_VARIABLE, name: n, value: v });
      return out;
    }
    case 'variable-delete':
      return [{ cmd: 'AlterCmd', paths, delAttrType: AlterDelete.DEL_VARIABLE, name: name() }];
    default: {
      const userAction = ZOMBIE_ACTIONS[action];
      if (userAction === undefined) throw badRequest(`unknown action '${String(action)}'`);
      const zombies = await ctx.zombies();
      const out: UserCommand[] = [];
      for (const path of paths) {
        const found = zombies.filter((z) => z.pathToTask === path && (args.value === undefined || z.processOrRemoteId === args.value));
        if (found.length === 0) throw new UiRefusal(UiErrorCode.UNKNOWN_NODE, `no zombie of ${path}${args.value === undefined ? '' : ` with process id ${args.value}`} (it may be gone already)`);
        for (const z of found) {
          out.push({ cmd: 'ZombieCmd', userAction, processId: z.processOrRemoteId, password: z.jobsPassword, paths: [path] });
        }
      }
      return out;
    }
  }
}

function serverAction(action: UiAction): UserCommand[] {
  switch (action) {
    case 'server-restart':
      return [{ cmd: 'CtsCmd', api: CtsApi.RESTART_SERVER }];
    case 'server-halt':
      return [{ cmd: 'CtsCmd', api: CtsApi.HALT_SERVER }];
    case 'server-shutdown':
      return [{ cmd: 'CtsCmd', api: CtsApi.SHUTDOWN_SERVER }];
    default:
      return [{ cmd: 'CheckPtCmd' }];
  }
}

/** The paths as ecFlow takes them ('/' for the server where allowed), checked. */
function checkPaths(action: UiAction, paths: readonly string[]): string[] {
  if (!Array.isArray(paths) || paths.length === 0) throw badRequest(`'${action}' needs at least one path`);
  const out: string[] = [];
  for (const p of paths) {
    if (typeof p !== 'string') throw badRequest(`'${action}': paths must be strings`);
    const server = p === '' || p === '/';
    if (server) {
      if (!SERVER_PATH_OK.has(action)) throw badRequest(`'${action}' applies to nodes, not to the server`);
      out.push('/');
      continue;
    }
    if (!p.startsWith('/') || /\s/.test(p)) throw badRequest(`'${action}': '${p}' is not a node path`);
    out.push(p);
  }
  return [...new Set(out)];
}

function hasOwnVariable(defs: Defs | undefined, path: string, name: string): boolean {
  if (defs === undefined) return true; // no model: let the server decide
  if (path === '/') return defs.serverVariables.some((v) => v.name === name);
  return defs.findNode(path)?.findVariable(name) !== undefined;
}
