/**
 * The actions of `ecflow-remote client`, in ecflow_client's own syntax: one table entry per
 * option (`--suspend=/s1 /s2`, `--force=complete recursive /s1`, ...). Each entry turns the option's
 * values into a request and prints the reply the way ecflow_client does (text), or as JSON.
 * Help text is generated from this table.
 */
import { readFile } from 'node:fs/promises';
import { EcflowError, ErrorCode } from '../errors.js';
import {
  CheckPtMode,
  ClientHandleApi,
  CtsApi,
  CtsNodeApi,
  FileKind,
  ForceState,
  LogApi,
  OrderOption,
  PathsApi,
  QueryType,
  RequeueOption,
  type UserCommand,
} from '../protocol/commands.js';
import type { Reply } from '../protocol/replies.js';
import { expectReply, type EcflowClient } from '../client/ecflow-client.js';
import { alterFromArgs } from './alter-args.js';
import { formatClientHandles, formatPingTime, formatZombies } from './client-format.js';
import { getDefsText, getNodeText, treeSummaryOf, whyText } from './client-defs.js';

export interface ActionContext {
  readonly client: EcflowClient;
  readonly json: boolean;
  /** Ask the user (TTY) to confirm; false when there is no terminal to ask. */
  confirm(question: string): Promise<boolean>;
}

/** What an action produced: text for stdout (may be empty) and the JSON form. */
export interface ActionResult {
  readonly text: string;
  readonly json: unknown;
}

export interface ClientAction {
  readonly name: string;
  /** `=VALUE` syntax for help, e.g. `=PATH [PATH...]`. */
  readonly args: string;
  readonly summary: string;
  run(ctx: ActionContext, values: readonly string[]): Promise<ActionResult>;
}

function usage(action: string, message: string): EcflowError {
  return new EcflowError(ErrorCode.INVALID_ARGUMENT, `--${action}: ${message}`);
}

function paths(action: string, values: readonly string[], min = 1): string[] {
  if (values.length < min) throw usage(action, 'at least one node path is required');
  for (const p of values) if (!p.startsWith('/')) throw usage(action, `node paths must start with '/': '${p}'`);
  return [...values];
}

function int(action: string, text: string, what: string): number {
  if (!/^\d+$/.test(text)) throw usage(action, `${what} must be a whole number, got '${text}'`);
  return Number(text);
}

/** Send a command whose reply is plain OK: nothing printed. */
async function ok(ctx: ActionContext, cmd: UserCommand): Promise<ActionResult> {
  const reply = await ctx.client.request(cmd);
  return { text: '', json: { ok: true, reply } };
}

/** Send a command whose reply is a string (SStringCmd): print it as is. */
async function str(ctx: ActionContext, cmd: UserCommand): Promise<ActionResult> {
  const reply = await ctx.client.request(cmd);
  const s = replyString(reply);
  return { text: s.endsWith('\n') || s === '' ? s : `${s}\n`, json: { text: s } };
}

function replyString(reply: Reply): string {
  if (reply.reply === 'SStringCmd') return reply.str;
  if (reply.reply === 'SStringVecCmd') return reply.vec.join('\n');
  if (reply.reply === 'StcCmd') return '';
  throw new EcflowError(ErrorCode.DECODE, `unexpected reply ${reply.reply}`);
}

async function confirmed(ctx: ActionContext, values: readonly string[], question: string): Promise<boolean> {
  return values.includes('yes') || (await ctx.confirm(question));
}

function notConfirmed(action: string): EcflowError {
  return usage(action, "not confirmed: add 'yes' to run it without a prompt");
}

const pathsAction = (name: string, api: PathsApi, summary: string): ClientAction => ({
  name,
  args: '=PATH [PATH...]',
  summary,
  run: (ctx, values) => ok(ctx, { cmd: 'PathsCmd', api, paths: paths(name, values) }),
});

const ctsAction = (name: string, api: CtsApi, summary: string, confirmQuestion?: string): ClientAction => ({
  name,
  args: confirmQuestion === undefined ? '' : '[=yes]',
  summary,
  run: async (ctx, values) => {
    if (confirmQuestion !== undefined && !(await confirmed(ctx, values, confirmQuestion))) throw notConfirmed(name);
    return ok(ctx, { cmd: 'CtsCmd', api });
  },
});

const handleSuites = (name: string, api: ClientHandleApi, summary: string): ClientAction => ({
  name,
  args: '=HANDLE SUITE...',
  summary,
  run: (ctx, values) => {
    const [h, ...suites] = values;
    if (h === undefined) throw usage(name, 'a client handle is required');
    return ok(ctx, { cmd: 'ClientHandleCmd', api, clientHandle: int(name, h, 'the handle'), suites });
  },
});

export const CLIENT_ACTIONS: readonly ClientAction[] = [
  {
    name: 'ping',
    args: '',
    summary: 'check that the server answers',
    run: async (ctx) => {
      const t0 = process.hrtime.bigint();
      await ctx.client.ping();
      const ns = Number(process.hrtime.bigint() - t0);
      return {
        text: `ping server(${ctx.client.address}) succeeded in ${formatPingTime(ns)}\n`,
        json: { ok: true, server: ctx.client.address, ms: ns / 1e6 },
      };
    },
  },
  {
    name: 'server_version',
    args: '',
    summary: "the server's ecFlow version",
    run: async (ctx) => {
      const v = await ctx.client.serverVersion();
      return { text: `${v}\n`, json: { version: v } };
    },
  },
  {
    name: 'get',
    args: '[=PATH]',
    summary: 'the definition (or one node) as re-loadable defs text',
    run: (ctx, values) => (values[0] ? getNodeText(ctx.client, values[0], 'DEFS') : getDefsText(ctx.client, 'DEFS')),
  },
  {
    name: 'get_state',
    args: '[=PATH]',
    summary: 'the definition (or one node) with states',
    run: (ctx, values) => (values[0] ? getNodeText(ctx.client, values[0], 'STATE') : getDefsText(ctx.client, 'STATE')),
  },
  {
    name: 'migrate',
    args: '[=PATH]',
    summary: 'the definition with state and edit history, as the server writes it',
    run: async (ctx, values) => {
      const reply = await ctx.client.request({ cmd: 'CtsNodeCmd', api: CtsNodeApi.MIGRATE, absNodePath: values[0] ?? '' });
      const text = reply.reply === 'DefsCmd' ? reply.defs : expectReply(reply, 'SNodeCmd').node;
      return { text, json: { text } };
    },
  },
  {
    name: 'tree-summary',
    args: '[=SUITE...]',
    summary: '(ecflow-remote) full sync into the model, then node counts by kind and by state',
    run: (ctx, values) => treeSummaryOf(ctx.client, values),
  },
  {
    name: 'suites',
    args: '',
    summary: 'the suite names, in server order',
    run: async (ctx) => {
      const r = expectReply(await ctx.client.request({ cmd: 'CtsCmd', api: CtsApi.SUITES }), 'SSuitesCmd');
      return { text: r.suites.map((s) => `${s} `).join('') + '\n', json: { suites: r.suites } };
    },
  },
  {
    name: 'stats',
    args: '',
    summary: 'server statistics (text)',
    run: (ctx) => str(ctx, { cmd: 'CtsCmd', api: CtsApi.STATS }),
  },
  {
    name: 'stats_server',
    args: '',
    summary: 'server statistics (structured; JSON with --json)',
    run: async (ctx) => {
      const r = expectReply(await ctx.client.request({ cmd: 'CtsCmd', api: CtsApi.STATS_SERVER }), 'SStatsCmd');
      return { text: `${JSON.stringify(r.stats, null, 2)}\n`, json: r.stats };
    },
  },
  {
    name: 'stats_reset',
    args: '',
    summary: 'reset the server statistics',
    run: (ctx) => ok(ctx, { cmd: 'CtsCmd', api: CtsApi.STATS_RESET }),
  },
  pathsAction('suspend', PathsApi.SUSPEND, 'suspend nodes (no new jobs below them)'),
  pathsAction('resume', PathsApi.RESUME, 'resume suspended nodes'),
  pathsAction('kill', PathsApi.KILL, 'kill the jobs of nodes (ECF_KILL_CMD)'),
  pathsAction('status', PathsApi.STATUS, 'run ECF_STATUS_CMD for nodes'),
  pathsAction('archive', PathsApi.ARCHIVE, 'archive suites/families'),
  pathsAction('restore', PathsApi.RESTORE, 'restore archived nodes'),
  {
    name: 'check',
    args: '=_all_ | PATH...',
    summary: 'check expressions and limits in the server',
    run: (ctx, values) =>
      str(ctx, { cmd: 'PathsCmd', api: PathsApi.CHECK, paths: values[0] === '_all_' || values.length === 0 ? [] : paths('check', values) }),
  },
  {
    name: 'requeue',
    args: '=[abort|force] PATH...',
    summary: 're-queue nodes (abort: only aborted tasks; force: even active/submitted)',
    run: (ctx, values) => {
      const first = values[0];
      const option = first === 'abort' ? RequeueOption.ABORT : first === 'force' ? RequeueOption.FORCE : RequeueOption.NO_OPTION;
      const rest = option === RequeueOption.NO_OPTION ? values : values.slice(1);
      return ok(ctx, { cmd: 'RequeueNodeCmd', paths: paths('requeue', rest), option });
    },
  },
  {
    name: 'force',
    args: '=STATE|set|clear [recursive] [full] PATH...',
    summary: 'force nodes to a state, or set/clear events (PATH:event)',
    run: (ctx, values) => {
      const [state, ...rest] = values;
      if (state === undefined || !(ForceState as readonly string[]).includes(state)) {
        throw usage('force', `expected one of ${ForceState.join(' | ')}`);
      }
      let recursive = false;
      let full = false;
      const list = rest.filter((v) => {
        if (v === 'recursive') recursive = true;
        else if (v === 'full') full = true;
        else return true;
        return false;
      });
      return ok(ctx, {
        cmd: 'ForceCmd',
        paths: paths('force', list),
        stateOrEvent: state as ForceState,
        recursive,
        setRepeatToLastValue: full,
      });
    },
  },
  {
    name: 'run',
    args: '=[force] PATH...',
    summary: 'run tasks now, ignoring dependencies',
    run: (ctx, values) => {
      const force = values[0] === 'force';
      return ok(ctx, { cmd: 'RunNodeCmd', paths: paths('run', force ? values.slice(1) : values), force });
    },
  },
  {
    name: 'free-dep',
    args: '=[trigger|all|date|time] PATH...',
    summary: 'free the dependencies of nodes (trigger by default)',
    run: (ctx, values) => {
      const words = new Set(['trigger', 'all', 'date', 'time']);
      const kinds = values.filter((v) => words.has(v));
      const rest = values.filter((v) => !words.has(v));
      const all = kinds.includes('all');
      const trigger = kinds.length === 0 || kinds.includes('trigger');
      return ok(ctx, {
        cmd: 'FreeDepCmd',
        paths: paths('free-dep', rest),
        trigger,
        all,
        date: kinds.includes('date'),
        time: kinds.includes('time'),
      });
    },
  },
  {
    name: 'alter',
    args: '=add|delete|change|set_flag|clear_flag|sort TYPE [NAME] [VALUE] PATH...',
    summary: 'change attributes, variables and flags (see ecflow_client --help=alter)',
    run: (ctx, values) => ok(ctx, alterFromArgs(values)),
  },
  {
    name: 'file',
    args: '=PATH [script|job|jobout|manual|kill|stat] [LINES]',
    summary: "a task's script, job, job output, manual, kill or status file",
    run: (ctx, values) => {
      const [path, kind = 'script', lines = '10000'] = values;
      if (path === undefined || !path.startsWith('/')) throw usage('file', 'a node path starting with / is required');
      const file = (FileKind as Record<string, FileKind>)[kind];
      if (file === undefined) throw usage('file', `unknown file kind '${kind}'; expected ${Object.keys(FileKind).join(' | ')}`);
      return str(ctx, { cmd: 'CFileCmd', file, pathToNode: path, maxLines: int('file', lines, 'the line count') });
    },
  },
  {
    name: 'edit_history',
    args: '=PATH | clear',
    summary: 'the edit history of a node',
    run: (ctx, values) =>
      str(ctx, { cmd: 'PathsCmd', api: PathsApi.EDIT_HISTORY, paths: values[0] === 'clear' ? ['clear'] : paths('edit_history', values) }),
  },
  {
    name: 'zombie_get',
    args: '',
    summary: 'the zombies the server knows of',
    run: async (ctx) => {
      const r = expectReply(await ctx.client.request({ cmd: 'CtsCmd', api: CtsApi.GET_ZOMBIES }), 'ZombieGetCmd');
      return { text: formatZombies(r.zombies), json: { zombies: r.zombies } };
    },
  },
  {
    name: 'log',
    args: '=get [N] | clear | flush | new [PATH] | path',
    summary: "the server's log: last N lines (default 100), clear, flush, new file, path",
    run: (ctx, values) => {
      const [what, arg] = values;
      switch (what) {
        case 'get':
          return str(ctx, { cmd: 'LogCmd', api: LogApi.GET, getLastNLines: arg === undefined ? 100 : int('log', arg, 'the line count') });
        case 'clear':
          return ok(ctx, { cmd: 'LogCmd', api: LogApi.CLEAR });
        case 'flush':
          return ok(ctx, { cmd: 'LogCmd', api: LogApi.FLUSH });
        case 'new':
          return ok(ctx, { cmd: 'LogCmd', api: LogApi.NEW, newPath: arg ?? '' });
        case 'path':
          return str(ctx, { cmd: 'LogCmd', api: LogApi.PATH });
        default:
          throw usage('log', 'expected get [N] | clear | flush | new [PATH] | path');
      }
    },
  },
  {
    name: 'msg',
    args: '=TEXT',
    summary: "write a message into the server's log",
    run: (ctx, values) => ok(ctx, { cmd: 'LogMessageCmd', msg: values.join(' ') }),
  },
  {
    name: 'why',
    args: '=PATH',
    summary: 'why a node is not running (computed from the defs, as ecflow_client does)',
    run: (ctx, values) => whyText(ctx.client, values[0] ?? ''),
  },
  {
    name: 'query',
    args: '=state|dstate|event|meter|label|variable|trigger|limit|limit_max|repeat PATH[:NAME] [ARG]',
    summary: 'query one state or attribute value',
    run: (ctx, values) => {
      const [type, target, arg] = values;
      if (type === undefined || !(QueryType as readonly string[]).includes(type)) {
        throw usage('query', `expected one of ${QueryType.join(' | ')}`);
      }
      if (target === undefined || !target.startsWith('/')) throw usage('query', 'a node path starting with / is required');
      const colon = target.indexOf(':');
      const path = colon === -1 ? target : target.slice(0, colon);
      const attribute = type === 'trigger' ? (arg ?? '') : colon === -1 ? (arg ?? '') : target.slice(colon + 1);
      return str(ctx, { cmd: 'QueryCmd', queryType: type as QueryType, pathToAttribute: path, attribute });
    },
  },
  {
    name: 'order',
    args: '=PATH top|bottom|alpha|order|up|down|runtime',
    summary: 're-order a node among its siblings',
    run: (ctx, values) => {
      const [path, how] = values;
      const option = (OrderOption as Record<string, OrderOption>)[(how ?? '').toUpperCase()];
      if (path === undefined || !path.startsWith('/') || option === undefined) {
        throw usage('order', 'expected PATH top|bottom|alpha|order|up|down|runtime');
      }
      return ok(ctx, { cmd: 'OrderNodeCmd', absNodePath: path, option });
    },
  },
  {
    name: 'load',
    args: '=FILE [force] [check_only] [print]',
    summary: 'load a definition file into the server (force: replace existing suites)',
    run: async (ctx, values) => {
      const [file, ...flags] = values;
      if (file === undefined) throw usage('load', 'a definition file is required');
      let defs: string;
      try {
        defs = await readFile(file, 'utf8');
      } catch (e) {
        throw new EcflowError(ErrorCode.INVALID_ARGUMENT, `--load: cannot read '${file}': ${(e as Error).message}`, { cause: e });
      }
      if (flags.includes('check_only')) return { text: '', json: { ok: true, checked: file } };
      if (flags.includes('print')) return { text: defs, json: { text: defs } };
      return ok(ctx, { cmd: 'LoadDefsCmd', defs, force: flags.includes('force'), defsFilename: file });
    },
  },
  {
    name: 'replace',
    args: '=PATH FILE [parent] [force]',
    summary: 'replace (or add) a node from a definition file',
    run: async (ctx, values) => {
      const [path, file, ...flags] = values;
      if (path === undefined || !path.startsWith('/') || file === undefined) throw usage('replace', 'expected PATH FILE [parent] [force]');
      const defs = await readFile(file, 'utf8').catch((e: Error) => {
        throw new EcflowError(ErrorCode.INVALID_ARGUMENT, `--replace: cannot read '${file}': ${e.message}`, { cause: e });
      });
      return ok(ctx, {
        cmd: 'ReplaceNodeCmd',
        pathToNode: path,
        clientDefs: defs,
        pathToDefs: file,
        createNodesAsNeeded: flags.includes('parent'),
        force: flags.includes('force'),
      });
    },
  },
  {
    name: 'begin',
    args: '[=SUITE] [--force]',
    summary: 'begin playing all suites, or one',
    run: (ctx, values) => {
      const words = values.join(' ').split(/\s+/).filter(Boolean);
      const force = words.includes('--force') || words.includes('force');
      const suite = words.find((w) => w !== '--force' && w !== 'force') ?? '';
      return ok(ctx, { cmd: 'BeginCmd', suiteName: suite, force });
    },
  },
  {
    name: 'delete',
    args: '=[force] [yes] PATH... | _all_',
    summary: 'delete nodes, or every suite with _all_',
    run: async (ctx, values) => {
      const force = values.includes('force');
      const rest = values.filter((v) => v !== 'force' && v !== 'yes');
      const all = rest.length === 1 && rest[0] === '_all_';
      const list = all ? [] : paths('delete', rest);
      const question = all ? 'Are you sure you want to delete all the suites ?' : `Are you sure want to delete nodes at paths:\n  ${list.join('\n  ')} ?`;
      if (!(await confirmed(ctx, values, question))) throw notConfirmed('delete');
      return ok(ctx, { cmd: 'DeleteCmd', paths: list, force });
    },
  },
  ctsAction('restart', CtsApi.RESTART_SERVER, 'restart job scheduling'),
  ctsAction('halt', CtsApi.HALT_SERVER, 'halt the server: no jobs, no communication with jobs', 'Are you sure you want to halt the server ?'),
  ctsAction('shutdown', CtsApi.SHUTDOWN_SERVER, 'shut down: no new jobs', 'Are you sure you want to shut down the server ?'),
  ctsAction('terminate', CtsApi.TERMINATE_SERVER, 'terminate the server process', 'Are you sure you want to terminate the server ?'),
  ctsAction('reloadwsfile', CtsApi.RELOAD_WHITE_LIST_FILE, 'reload the white list file'),
  ctsAction('reloadpasswdfile', CtsApi.RELOAD_PASSWD_FILE, 'reload the password file'),
  ctsAction('reloadcustompasswdfile', CtsApi.RELOAD_CUSTOM_PASSWD_FILE, 'reload the custom password file'),
  ctsAction('force-dep-eval', CtsApi.FORCE_DEP_EVAL, 'force dependency evaluation'),
  ctsAction('debug_server_on', CtsApi.DEBUG_SERVER_ON, 'server debug output on'),
  ctsAction('debug_server_off', CtsApi.DEBUG_SERVER_OFF, 'server debug output off'),
  {
    name: 'check_pt',
    args: '[=never|on_time|on_time:SECS|always|SECS|alarm:SECS]',
    summary: 'write a checkpoint now, or change the checkpoint mode/interval/alarm',
    run: (ctx, values) => {
      const v = values[0];
      if (v === undefined) return ok(ctx, { cmd: 'CheckPtCmd' });
      const modes: Record<string, CheckPtMode> = { never: CheckPtMode.NEVER, on_time: CheckPtMode.ON_TIME, always: CheckPtMode.ALWAYS };
      const [word, num] = v.split(':');
      if (word === 'alarm') return ok(ctx, { cmd: 'CheckPtCmd', saveTimeAlarm: int('check_pt', num ?? '', 'the alarm') });
      if (word !== undefined && modes[word] !== undefined) {
        return ok(ctx, { cmd: 'CheckPtCmd', mode: modes[word], ...(num === undefined ? {} : { interval: int('check_pt', num, 'the interval') }) });
      }
      return ok(ctx, { cmd: 'CheckPtCmd', interval: int('check_pt', v, 'the interval') });
    },
  },
  {
    name: 'ch_register',
    args: '=[HANDLE] true|false [SUITE...]',
    summary: 'register a client handle for a set of suites',
    run: async (ctx, values) => {
      const rest = [...values];
      let handle = 0;
      if (rest[0] !== undefined && /^\d+$/.test(rest[0])) handle = Number(rest.shift());
      const auto = rest.shift();
      if (auto !== 'true' && auto !== 'false') throw usage('ch_register', 'expected [HANDLE] true|false [SUITE...]');
      const r = expectReply(
        await ctx.client.request({
          cmd: 'ClientHandleCmd',
          api: ClientHandleApi.REGISTER,
          clientHandle: handle,
          suites: rest,
          autoAddNewSuites: auto === 'true',
        }),
        'SClientHandleCmd',
      );
      return { text: '', json: { handle: r.handle } };
    },
  },
  {
    name: 'ch_drop',
    args: '=HANDLE',
    summary: 'drop a client handle',
    run: (ctx, values) =>
      ok(ctx, { cmd: 'ClientHandleCmd', api: ClientHandleApi.DROP, clientHandle: int('ch_drop', values[0] ?? '', 'the handle') }),
  },
  {
    name: 'ch_drop_user',
    args: '[=USER]',
    summary: 'drop every client handle of a user (default: you)',
    run: (ctx, values) => ok(ctx, { cmd: 'ClientHandleCmd', api: ClientHandleApi.DROP_USER, dropUser: values[0] ?? '' }),
  },
  handleSuites('ch_add', ClientHandleApi.ADD, 'add suites to a client handle'),
  handleSuites('ch_rem', ClientHandleApi.REMOVE, 'remove suites from a client handle'),
  {
    name: 'ch_auto_add',
    args: '=HANDLE true|false',
    summary: 'follow new suites automatically with a client handle',
    run: (ctx, values) => {
      const [h, v] = values;
      if (v !== 'true' && v !== 'false') throw usage('ch_auto_add', 'expected HANDLE true|false');
      return ok(ctx, {
        cmd: 'ClientHandleCmd',
        api: ClientHandleApi.AUTO_ADD,
        clientHandle: int('ch_auto_add', h ?? '', 'the handle'),
        autoAddNewSuites: v === 'true',
      });
    },
  },
  {
    name: 'ch_suites',
    args: '',
    summary: 'every client handle and its suites',
    run: async (ctx) => {
      const r = expectReply(await ctx.client.request({ cmd: 'ClientHandleCmd', api: ClientHandleApi.SUITES }), 'SClientHandleSuitesCmd');
      return { text: formatClientHandles(r.users, r.handles), json: { users: r.users, handles: r.handles } };
    },
  },
];

export function findAction(name: string): ClientAction | undefined {
  return CLIENT_ACTIONS.find((a) => a.name === name);
}
