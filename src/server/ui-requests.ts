/**
 * The answers to the browser's per-server requests (ui-protocol UiRequest), from the live model of
 * a LiveServer or from the ecFlow server / log server: attributes, info, output (the fetch chain),
 * output-more (log server delta), file, why, triggers, variables, edit-history, server-log,
 * zombies, action. Answers are the ui-protocol `Ui*Data` shapes.
 */

import { EcflowError, ErrorCode } from '../errors.js';
import type { ServerConfig } from '../config/config.js';
import { expectReply } from '../client/ecflow-client.js';
import { CtsApi, FileKind, LogApi, PathsApi } from '../protocol/commands.js';
import type { Reply, Zombie } from '../protocol/replies.js';
import type { Defs } from '../model/defs.js';
import { expressionDependencies, expressionDependents, parsePtime } from '../model/expression-model.js';
import { Submittable, Suite, type Node } from '../model/node.js';
import { calendarText, clockText } from '../model/attr-text.js';
import { formatDuration } from '../model/time-format.js';
import {
  CHILD_CMD_NAMES,
  DSTATE_NAMES,
  flagNames,
  NSTATE_NAMES,
  SSTATE_NAMES,
  ZOMBIE_ACTION_NAMES,
  ZOMBIE_TYPE_NAMES,
} from '../model/types.js';
import { why, whyReasons } from '../model/why.js';
import { decodeOutput } from '../logserver/log-server-protocol.js';
import { fetchOutput, logServerClient, submittable } from '../logserver/output-chain.js';
import { currentJobOutputPath, isLogServerLocation, jobOutputPath, logServerFor } from '../logserver/output-path.js';
import type { Connector } from '../transport/connector.js';
import { actionCommands } from './ui-actions.js';
import { nodeAttributes, expressionHolds } from './ui-attributes.js';
import { badRequest, toUiError, UiRefusal } from './ui-errors.js';
import type { LiveServer } from './live-server.js';
import {
  UiErrorCode,
  type UiActionData,
  type UiAttributesData,
  type UiDependency,
  type UiInfoData,
  type UiOutputData,
  type UiOutputMoreData,
  type UiRequest,
  type UiTextData,
  type UiTriggersData,
  type UiVariablesData,
  type UiWhyData,
  type UiZombie,
} from './ui-protocol.js';
import { variablesOf } from './ui-variables.js';

const FILE_KINDS = { script: FileKind.script, job: FileKind.job, manual: FileKind.manual, kill: FileKind.kill, stat: FileKind.stat } as const;

/** Most nodes one `attributes` request may name. */
export const MAX_ATTRIBUTE_NODES = 10_000;
/** Lines asked from the server for script/job/manual/kill/stat files and job output. */
export const FILE_MAX_LINES = 10_000;

export interface ServerRequestContext {
  readonly live: LiveServer;
  readonly config: ServerConfig;
  /** How to reach log servers (the server's route), undefined = direct. */
  readonly connector: () => Connector | undefined;
}

type ServerRequest = Exclude<UiRequest, { what: 'servers' | 'server-save' | 'server-remove' | 'servers-import' | 'routes' }>;

/** Answer one per-server request. Throws (UiRefusal, EcflowError) for the error response. */
export async function answerServerRequest(ctx: ServerRequestContext, req: ServerRequest): Promise<unknown> {
  const { live } = ctx;
  switch (req.what) {
    case 'attributes':
      return attributes(ctx, req.epoch, req.nodes);
    case 'info':
      return info(ctx, req.path);
    case 'output': {
      const { node } = await nodeAt(live, req.path, true);
      return output(ctx, node, req.tryNo, req.maxLines);
    }
    case 'output-more': {
      const { node } = await nodeAt(live, req.path, true);
      return outputMore(ctx, node, req);
    }
    case 'file': {
      const { node } = await nodeAt(live, req.path, true);
      const kind = (FILE_KINDS as Record<string, FileKind | undefined>)[req.file];
      if (kind === undefined) throw badRequest(`file: '${String(req.file)}' is not script, job, manual, kill or stat`);
      const reply = await live.request({ cmd: 'CFileCmd', file: kind, pathToNode: node.path, maxLines: FILE_MAX_LINES });
      return { path: node.path, text: replyText(reply), source: `--file=${node.path} ${req.file} ${FILE_MAX_LINES}` } satisfies UiTextData;
    }
    case 'why':
      return whyOf(live, req.path);
    case 'triggers': {
      const { defs, node } = await nodeAt(live, req.path, true);
      return triggersOf(defs, node);
    }
    case 'variables': {
      const { defs, node } = await nodeAt(live, req.path, false);
      return variablesOf(defs, node) satisfies UiVariablesData;
    }
    case 'edit-history': {
      const path = isServerPath(req.path) ? '/' : req.path;
      const reply = await live.request({ cmd: 'PathsCmd', api: PathsApi.EDIT_HISTORY, paths: [path] });
      return { path, text: replyText(reply), source: `--edit_history=${path}` } satisfies UiTextData;
    }
    case 'server-log': {
      const lines = req.lines === undefined ? 100 : req.lines;
      if (!Number.isInteger(lines) || lines < 1 || lines > 1_000_000) throw badRequest(`server-log: lines must be 1 to 1000000, not ${String(lines)}`);
      const reply = await live.request({ cmd: 'LogCmd', api: LogApi.GET, getLastNLines: lines });
      return { text: replyText(reply), source: `--log=get ${lines}` } satisfies UiTextData;
    }
    case 'zombies':
      return (await zombies(live)).map(uiZombie) satisfies UiZombie[];
    case 'action':
      return action(ctx, req);
  }
}

// ---- attributes ----

async function attributes(ctx: ServerRequestContext, epoch: number, indexes: readonly number[]): Promise<UiAttributesData> {
  const { defs, table } = await ctx.live.model();
  if (epoch !== table.epoch) {
    throw new UiRefusal(UiErrorCode.STALE_EPOCH, `epoch ${String(epoch)} is not current (now ${table.epoch}): resync`);
  }
  if (!Array.isArray(indexes)) throw badRequest('attributes: nodes must be a list of indexes');
  if (indexes.length > MAX_ATTRIBUTE_NODES) throw badRequest(`attributes: at most ${MAX_ATTRIBUTE_NODES} nodes per request`);
  const nodes: { index: number; attributes: ReturnType<typeof nodeAttributes> }[] = [];
  for (const i of indexes) {
    const node = Number.isInteger(i) ? table.nodes[i] : undefined;
    if (node === undefined) continue;
    nodes.push({ index: i, attributes: nodeAttributes(defs, node) });
  }
  return { epoch, nodes };
}

// ---- info ----

async function info(ctx: ServerRequestContext, path: string): Promise<UiInfoData> {
  const { live, config } = ctx;
  const { defs, node } = await nodeAt(live, path, false);
  if (node === undefined) {
    let statsText: string | undefined;
    let statsError;
    try {
      statsText = replyText(await live.request({ cmd: 'CtsCmd', api: CtsApi.STATS }));
    } catch (e) {
      statsError = toUiError(e);
    }
    return {
      server: live.name,
      path: '',
      kind: 'server',
      name: live.name,
      state: SSTATE_NAMES[defs.serverState] ?? 'RUNNING',
      suspended: false,
      flags: flagNames(defs.flags),
      children: defs.suites.length,
      version: live.session.serverVersion,
      address: `${config.host}:${config.port}`,
      ...(config.route === undefined ? {} : { route: config.route }),
      ...(statsText === undefined ? {} : { statsText }),
      ...(statsError === undefined ? {} : { statsError }),
      variables: variablesOf(defs, undefined).sections[0]?.variables ?? [],
      health: live.health,
    };
  }
  const suite = node.suite;
  const begin = suite?.calendar === undefined ? undefined : parsePtime(suite.calendar.initTime);
  const stateChangedAt =
    begin === undefined
      ? undefined
      : new Date(Date.UTC(begin.year, begin.month - 1, begin.day, begin.hour, begin.minute, begin.second) + node.dur * 1000).toISOString().slice(0, 19);
  const sub = node instanceof Submittable ? node : undefined;
  return {
    server: live.name,
    path: node.path,
    kind: node.kind,
    name: node.name,
    state: NSTATE_NAMES[node.state] ?? 'unknown',
    suspended: node.suspended,
    defStatus: DSTATE_NAMES[node.defStatus] ?? 'queued',
    flags: flagNames(node.flags),
    dur: node.dur,
    durText: formatDuration(node.dur),
    ...(stateChangedAt === undefined ? {} : { stateChangedAt }),
    rt: node.rt,
    ...(sub === undefined
      ? {}
      : {
          tryNo: sub.tryNo,
          rid: sub.rid,
          abortReason: sub.abortReason.replace(/\\n/g, '\n'),
          jobOutput: currentJobOutputPath(sub),
        }),
    children: node.nodes.length,
    ...(node instanceof Suite
      ? {
          begun: node.begun,
          ...(node.clock === undefined ? {} : { clock: clockText(node.clock, false).trimEnd() }),
          ...(node.calendar === undefined ? {} : { calendar: calendarText(node.calendar) }),
        }
      : {}),
  };
}

// ---- output ----

async function output(ctx: ServerRequestContext, node: Node, tryNo: number | undefined, maxLines: number | undefined): Promise<UiOutputData> {
  const connector = ctx.connector();
  const result = await fetchOutput(node, {
    client: ctx.live.client,
    ...(ctx.config.logserver === undefined ? {} : { logServer: ctx.config.logserver }),
    ...(connector === undefined ? {} : { connector }),
    ...(tryNo === undefined ? {} : { tryNo }),
    maxLines: maxLines ?? FILE_MAX_LINES,
  });
  ctx.live.touch();
  return {
    source: result.source,
    sourceDescription: result.sourceDescription,
    path: result.path,
    tryNo: result.tryNo,
    current: result.current,
    content: result.content,
    truncated: result.truncated,
    ...(result.bytes === undefined ? {} : { size: result.bytes.length }),
    ...(result.mtime === undefined ? {} : { mtime: result.mtime }),
    ...(result.checksum === undefined ? {} : { checksum: result.checksum }),
    tries: result.tries.map((t) => ({
      tryNo: t.tryNo,
      path: t.path,
      current: t.current,
      listed: t.listed,
      ...(t.size === undefined ? {} : { size: t.size }),
      ...(t.mtime === undefined ? {} : { mtime: t.mtime }),
    })),
    attempts: result.attempts.map((a) => ({ source: a.source, description: a.description, error: toUiError(a.error) })),
  };
}

async function outputMore(
  ctx: ServerRequestContext,
  node: Node,
  req: Extract<UiRequest, { what: 'output-more' }>,
): Promise<UiOutputMoreData> {
  const task = submittable(node);
  const path = jobOutputPath(task, req.tryNo ?? task.tryNo);
  const where = logServerFor(task, ctx.config.logserver);
  if (!isLogServerLocation(where)) throw new EcflowError(ErrorCode.INVALID_ARGUMENT, `cannot follow ${path}: ${where.reason}`);
  const connector = ctx.connector();
  const logsvr = logServerClient(where, { client: ctx.live.client, ...(connector === undefined ? {} : { connector }) });
  const d = await logsvr.delta(req.size, req.mtime, req.checksum, path);
  ctx.live.touch();
  switch (d.kind) {
    case 'unchanged':
      return { kind: 'unchanged', text: '', size: req.size, mtime: req.mtime, checksum: req.checksum };
    case 'appended':
      return { kind: 'appended', text: decodeOutput(d.bytes), size: req.size + d.bytes.length, mtime: d.mtime, checksum: d.checksum };
    default:
      return { kind: 'replaced', text: decodeOutput(d.content), size: d.content.length, mtime: d.mtime, checksum: d.checksum };
  }
}

// ---- why, triggers ----

async function whyOf(live: LiveServer, path: string): Promise<UiWhyData> {
  const { defs, node } = await nodeAt(live, path, false);
  if (node === undefined) {
    const lines = defs.serverState === 2 ? [] : ['The server is *not* RUNNING.'];
    return {
      path: '',
      lines,
      reasons: lines.map((text) => ({ kind: 'server', path: '', text, details: [`the server is ${SSTATE_NAMES[defs.serverState]}`] })),
    };
  }
  return {
    path: node.path,
    lines: why(defs, node),
    reasons: whyReasons(defs, node).map((r) => ({ kind: r.kind, path: r.path, text: r.text, details: [...r.details] })),
  };
}

function triggersOf(defs: Defs, node: Node): UiTriggersData {
  const stateOf = (path: string): string | undefined => {
    const n = defs.findNode(path);
    return n === undefined ? undefined : n.suspended ? 'suspended' : NSTATE_NAMES[n.state];
  };
  const dep = (d: { node: string; expression: 'trigger' | 'complete'; target: string; found: boolean }, other: string): UiDependency => {
    const state = stateOf(other);
    return { node: d.node, expression: d.expression, target: d.target, found: d.found, ...(state === undefined ? {} : { state }) };
  };
  const t = node.trigger;
  const c = node.complete;
  return {
    path: node.path,
    ...(t === undefined ? {} : { trigger: { text: t.text, free: t.free, holds: expressionHolds(defs, node, t) } }),
    ...(c === undefined ? {} : { complete: { text: c.text, free: c.free, holds: expressionHolds(defs, node, c) } }),
    triggersOf: expressionDependencies(defs, node).map((d) => dep(d, d.target)),
    triggeredBy: expressionDependents(defs, node.path, { below: true }).map((d) => dep(d, d.node)),
  };
}

// ---- zombies, actions ----

async function zombies(live: LiveServer): Promise<readonly Zombie[]> {
  const reply = await live.request({ cmd: 'CtsCmd', api: CtsApi.GET_ZOMBIES });
  return expectReply(reply, 'ZombieGetCmd').zombies;
}

function uiZombie(z: Zombie): UiZombie {
  return {
    path: z.pathToTask,
    type: ZOMBIE_TYPE_NAMES[z.zombieType] ?? String(z.zombieType),
    userAction: ZOMBIE_ACTION_NAMES[z.userAction] ?? String(z.userAction),
    userActionSet: z.userActionSet,
    tryNo: z.tryNo,
    duration: z.duration,
    calls: z.calls,
    lastChildCmd: CHILD_CMD_NAMES[z.lastChildCmd] ?? String(z.lastChildCmd),
    processId: z.processOrRemoteId,
    host: z.host,
    userCmd: z.userCmd,
  };
}

async function action(ctx: ServerRequestContext, req: Extract<UiRequest, { what: 'action' }>): Promise<UiActionData> {
  const { live, config } = ctx;
  if (config.readOnly) {
    throw new UiRefusal(UiErrorCode.READ_ONLY, `server '${live.name}' is read-only in the config: '${req.action}' was not sent`);
  }
  const cmds = await actionCommands(req.action, req.paths, req.args ?? {}, {
    defs: live.defs,
    zombies: () => zombies(live),
  });
  return { commands: await live.command(cmds) };
}

// ---- helpers ----

function isServerPath(path: string): boolean {
  return path === '' || path === '/';
}

/** The model and the node at `path` ('' or '/' = the server: node undefined, refused if `needNode`). */
async function nodeAt(live: LiveServer, path: string, needNode: true): Promise<{ defs: Defs; node: Node }>;
async function nodeAt(live: LiveServer, path: string, needNode: false): Promise<{ defs: Defs; node: Node | undefined }>;
async function nodeAt(live: LiveServer, path: string, needNode: boolean): Promise<{ defs: Defs; node: Node | undefined }> {
  if (typeof path !== 'string') throw badRequest('path must be a string');
  const { defs } = await live.model();
  if (isServerPath(path)) {
    if (needNode) throw badRequest('this request needs a node path, not the server');
    return { defs, node: undefined };
  }
  const node = defs.findNode(path);
  if (node === undefined) throw new UiRefusal(UiErrorCode.UNKNOWN_NODE, `no node ${path} on server '${live.name}'`);
  return { defs, node };
}

/** Text of a reply that carries text (SStringCmd, SStringVecCmd, OK). */
function replyText(reply: Reply): string {
  if (reply.reply === 'SStringCmd') return reply.str;
  if (reply.reply === 'SStringVecCmd') return reply.vec.join('\n');
  if (reply.reply === 'StcCmd') return '';
  throw new EcflowError(ErrorCode.DECODE, `unexpected reply ${reply.reply}`);
}
