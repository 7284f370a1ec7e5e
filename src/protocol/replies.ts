/**
 * Replies: JSON payload -> typed `Reply` (ecflow-protocol.md §2.5, §5, §7.2, §8; 5.17 additions in
 * ecflow-protocol-5.17.md §4).
 *
 * `decodeReply` parses the payload, runs the generic cereal reader (`readCereal`: versions dropped,
 * pointers unwrapped, base parts merged, polymorphic objects tagged with `$type`) and maps the
 * reply object to a typed variant whose discriminant `reply` is the `polymorphic_name`. A reply
 * type we do not know becomes `{ reply: 'Unknown', name, data }` and unknown members are ignored,
 * because newer servers add content. Malformed input is always EcflowError(DECODE), never another
 * exception.
 *
 * Sync payloads are kept as produced by `readCereal`: defs texts are the strings from JSON.parse
 * (never copied) and mementos keep their cereal member names and `$type` for src/model/.
 *
 * Pure module: no Node or DOM types.
 */

import { EcflowError, ErrorCode } from '../errors.js';
import { readCereal } from './cereal.js';
import type {
  ChildCmdType,
  News,
  StcApi,
  ZombieAction,
  ZombieType,
} from './commands-enums.js';
import { decodeStats, type ServerStats } from './replies-stats.js';

export type { ServerResource, ServerStats, StatsRequestCounter } from './replies-stats.js';
export { STATS_REQUEST_COUNTERS } from './replies-stats.js';

/** Top-level key of a reply document (§2.1). It is not checked when decoding. */
export const REPLY_ROOT_KEY = '22ServerToClientResponse';

/** An incremental change as `readCereal` produced it: cereal member names plus `$type` (§8.1). */
export type Memento = { $type: string; [k: string]: unknown };

/** The changes of one node (or of the defs for path "/"), to be applied in order (§8). */
export interface CompoundMemento {
  /** `absNodePath_`: the node, or "/" for the defs/server level. */
  path: string;
  /** `clear_attributes_`: remove all attributes of the node first, then add every memento. */
  clearAttributes: boolean;
  /** `vec_`. */
  mementos: Memento[];
}

/** `ZombieAttr` inside a Zombie (§5). */
export interface ZombieAttr {
  childCmds: ChildCmdType[];
  zombieType: ZombieType;
  action: ZombieAction;
  zombieLifetime: number;
}

/** One zombie of `ZombieGetCmd` (§5). */
export interface Zombie {
  userAction: ZombieAction;
  tryNo: number;
  /** Seconds. */
  duration: number;
  calls: number;
  zombieType: ZombieType;
  lastChildCmd: ChildCmdType;
  pathToTask: string;
  jobsPassword: string;
  processOrRemoteId: string;
  userCmd: string;
  host: string;
  attr: ZombieAttr;
  userActionSet: boolean;
}

export interface StcCmdReply {
  reply: 'StcCmd';
  api: StcApi;
}
export interface ErrorCmdReply {
  reply: 'ErrorCmd';
  /** `error_msg_`, verbatim (it may start with a space). */
  message: string;
}
export interface SStringCmdReply {
  reply: 'SStringCmd';
  str: string;
}
export interface SStringVecCmdReply {
  reply: 'SStringVecCmd';
  vec: string[];
}
export interface DefsCmdReply {
  reply: 'DefsCmd';
  /** The whole defs as NET text (the unnamed `value1`). */
  defs: string;
}
export interface SNodeCmdReply {
  reply: 'SNodeCmd';
  /** `the_node_str_`: one node subtree as NET text. */
  node: string;
}
export interface SNewsCmdReply {
  reply: 'SNewsCmd';
  news: News;
}
/**
 * `SSyncCmd` (§7.2). Exactly one of: `fullDefs` with the text in `defs`; a handle subset in
 * `serverDefs`; or incremental `compounds` with the new numbers in `stateChangeNo`/`modifyChangeNo`.
 * In the two full cases the numbers are 0: take them from the `defs_state` line of the text.
 */
export interface SSyncCmdReply {
  reply: 'SSyncCmd';
  fullDefs: boolean;
  stateChangeNo: number;
  modifyChangeNo: number;
  compounds: CompoundMemento[];
  serverDefs: string;
  defs: string;
}
export interface SClientHandleCmdReply {
  reply: 'SClientHandleCmd';
  handle: number;
}
export interface SClientHandleSuitesCmdReply {
  reply: 'SClientHandleSuitesCmd';
  /** `users_`: each user with their handles. */
  users: { user: string; handles: number[] }[];
  /** `client_handles_`: each handle with its suites. */
  handles: { handle: number; suites: string[] }[];
}
export interface SSuitesCmdReply {
  reply: 'SSuitesCmd';
  suites: string[];
}
export interface SServerLoadCmdReply {
  reply: 'SServerLoadCmd';
  logFilePath: string;
}
export interface ZombieGetCmdReply {
  reply: 'ZombieGetCmd';
  zombies: Zombie[];
}
export interface BlockClientZombieCmdReply {
  reply: 'BlockClientZombieCmd';
  zombieType: ZombieType;
}
export interface GroupSTCCmdReply {
  reply: 'GroupSTCCmd';
  /** The "interesting" child replies; plain OK replies are left out by the server (§4.1). */
  replies: Reply[];
}
export interface SStatsCmdReply {
  reply: 'SStatsCmd';
  stats: ServerStats;
}
/** A reply type this client does not know (newer server): the readCereal output, untouched. */
export interface UnknownReply {
  reply: 'Unknown';
  name: string;
  data: unknown;
}

export type Reply =
  | StcCmdReply
  | ErrorCmdReply
  | SStringCmdReply
  | SStringVecCmdReply
  | DefsCmdReply
  | SNodeCmdReply
  | SNewsCmdReply
  | SSyncCmdReply
  | SClientHandleCmdReply
  | SClientHandleSuitesCmdReply
  | SSuitesCmdReply
  | SServerLoadCmdReply
  | ZombieGetCmdReply
  | BlockClientZombieCmdReply
  | GroupSTCCmdReply
  | SStatsCmdReply
  | UnknownReply;

type Obj = Record<string, unknown>;

function fail(message: string, cause?: unknown): never {
  throw new EcflowError(ErrorCode.DECODE, message, cause === undefined ? undefined : { cause });
}

function isObject(v: unknown): v is Obj {
  return v !== null && typeof v === 'object' && !Array.isArray(v);
}

/** Typed member access with DECODE errors naming the reply type and member. */
class Members {
  constructor(
    private readonly what: string,
    private readonly o: Obj,
  ) {}
  private bad(key: string, expected: string): never {
    const v = this.o[key];
    const got = v === undefined ? 'missing' : Array.isArray(v) ? 'an array' : v === null ? 'null' : `a ${typeof v}`;
    fail(`${this.what}: member ${key} should be ${expected} but is ${got}`);
  }
  str(key: string): string {
    const v = this.o[key];
    return typeof v === 'string' ? v : this.bad(key, 'a string');
  }
  num(key: string): number {
    const v = this.o[key];
    return typeof v === 'number' ? v : this.bad(key, 'a number');
  }
  bool(key: string): boolean {
    const v = this.o[key];
    return typeof v === 'boolean' ? v : this.bad(key, 'a boolean');
  }
  optBool(key: string): boolean {
    return this.o[key] === undefined ? false : this.bool(key);
  }
  object(key: string): Obj {
    const v = this.o[key];
    return isObject(v) ? v : this.bad(key, 'an object');
  }
  obj(key: string): Members {
    return new Members(`${this.what}.${key}`, this.object(key));
  }
  arr(key: string): unknown[] {
    const v = this.o[key];
    return Array.isArray(v) ? v : this.bad(key, 'an array');
  }
  strings(key: string): string[] {
    const v = this.arr(key);
    return v.every((s) => typeof s === 'string') ? (v as string[]) : this.bad(key, 'an array of strings');
  }
  numbers(key: string): number[] {
    const v = this.arr(key);
    return v.every((n) => typeof n === 'number') ? (v as number[]) : this.bad(key, 'an array of numbers');
  }
  objects(key: string): Members[] {
    return this.arr(key).map((v, i) =>
      isObject(v) ? new Members(`${this.what}.${key}[${i}]`, v) : fail(`${this.what}: ${key}[${i}] is not an object`),
    );
  }
}

/**
 * Decode the JSON payload of a reply frame into a typed reply.
 * Throws EcflowError(DECODE) for anything that is not a well-formed ecFlow reply.
 *
 * @example
 * const reply = decodeReply(payload);
 * if (reply.reply === 'ErrorCmd') throw new EcflowServerError(reply.message);
 * if (reply.reply === 'SSyncCmd' && reply.fullDefs) model.load(reply.defs);
 */
export function decodeReply(payload: string): Reply {
  let doc: unknown;
  try {
    doc = JSON.parse(payload);
  } catch (e) {
    const start = payload.slice(0, 40).replace(/\s+/g, ' ');
    fail(`reply is not valid JSON (${(e as Error).message}); it starts with ${JSON.stringify(start)}`, e);
  }
  if (!isObject(doc)) fail('reply is not a JSON object');
  let envelope: unknown;
  for (const key in doc) {
    envelope = doc[key];
    break;
  }
  if (!isObject(envelope) || !isObject(envelope['stc_cmd_'])) {
    fail(`reply has no ${REPLY_ROOT_KEY}.stc_cmd_ object`);
  }
  const cmd = readCereal(envelope['stc_cmd_']);
  return replyFromObject(cmd, 'reply');
}

function replyFromObject(value: unknown, where: string): Reply {
  if (!isObject(value) || typeof value['$type'] !== 'string') {
    fail(`${where} is not a polymorphic reply object`);
  }
  const name = value['$type'];
  const m = new Members(`${name} reply`, value);
  switch (name) {
    case 'StcCmd':
      return { reply: 'StcCmd', api: m.num('api_') as StcApi };
    case 'ErrorCmd':
      return { reply: 'ErrorCmd', message: m.str('error_msg_') };
    case 'SStringCmd':
      return { reply: 'SStringCmd', str: m.str('str_') };
    case 'SStringVecCmd':
      return { reply: 'SStringVecCmd', vec: m.strings('vec_') };
    case 'DefsCmd':
      return { reply: 'DefsCmd', defs: m.str('value1') };
    case 'SNodeCmd':
      return { reply: 'SNodeCmd', node: m.str('the_node_str_') };
    case 'SNewsCmd':
      return { reply: 'SNewsCmd', news: m.num('news_') as News };
    case 'SSyncCmd':
      return decodeSync(m);
    case 'SClientHandleCmd':
      return { reply: 'SClientHandleCmd', handle: m.num('handle_') };
    case 'SClientHandleSuitesCmd':
      return {
        reply: 'SClientHandleSuitesCmd',
        users: m.objects('users_').map((p) => ({ user: p.str('first'), handles: p.numbers('second') })),
        handles: m.objects('client_handles_').map((p) => ({ handle: p.num('first'), suites: p.strings('second') })),
      };
    case 'SSuitesCmd':
      return { reply: 'SSuitesCmd', suites: m.strings('suites_') };
    case 'SServerLoadCmd':
      return { reply: 'SServerLoadCmd', logFilePath: m.str('log_file_path_') };
    case 'ZombieGetCmd':
      return { reply: 'ZombieGetCmd', zombies: m.objects('zombies_').map(decodeZombie) };
    case 'BlockClientZombieCmd':
      return { reply: 'BlockClientZombieCmd', zombieType: m.num('zombie_type_') as ZombieType };
    case 'GroupSTCCmd':
      return {
        reply: 'GroupSTCCmd',
        replies: m.arr('cmdVec_').map((child, i) => replyFromObject(child, `GroupSTCCmd child ${i}`)),
      };
    case 'SStatsCmd':
      return { reply: 'SStatsCmd', stats: decodeStats(m.object('stats_')) };
    default:
      return { reply: 'Unknown', name, data: value };
  }
}

function decodeSync(m: Members): SSyncCmdReply {
  const delta = m.obj('incremental_changes_');
  const raw = delta.arr('compound_mementos_');
  const compounds = new Array<CompoundMemento>(raw.length);
  for (let i = 0; i < raw.length; i++) {
    const c = raw[i];
    if (!isObject(c)) fail(`SSyncCmd reply: compound memento ${i} is not an object`);
    const cm = new Members(`SSyncCmd reply: compound memento ${i}`, c);
    const mementos = cm.arr('vec_');
    for (let j = 0; j < mementos.length; j++) {
      const x = mementos[j];
      if (!isObject(x) || typeof x['$type'] !== 'string') {
        fail(`SSyncCmd reply: compound memento ${i} (${cm.str('absNodePath_')}): memento ${j} is not a polymorphic object`);
      }
    }
    compounds[i] = {
      path: cm.str('absNodePath_'),
      clearAttributes: cm.optBool('clear_attributes_'),
      mementos: mementos as Memento[],
    };
  }
  return {
    reply: 'SSyncCmd',
    fullDefs: m.bool('full_defs_'),
    stateChangeNo: delta.num('server_state_change_no_'),
    modifyChangeNo: delta.num('server_modify_change_no_'),
    compounds,
    serverDefs: m.str('server_defs_'),
    defs: m.str('value1'),
  };
}

function decodeZombie(z: Members): Zombie {
  const attr = z.obj('attr_');
  return {
    userAction: z.num('user_action_') as ZombieAction,
    tryNo: z.num('try_no_'),
    duration: z.num('duration_'),
    calls: z.num('calls_'),
    zombieType: z.num('zombie_type_') as ZombieType,
    lastChildCmd: z.num('last_child_cmd_') as ChildCmdType,
    pathToTask: z.str('path_to_task_'),
    jobsPassword: z.str('jobs_password_'),
    processOrRemoteId: z.str('process_or_remote_id_'),
    userCmd: z.str('user_cmd_'),
    host: z.str('host_'),
    attr: {
      childCmds: attr.numbers('child_cmds_') as ChildCmdType[],
      zombieType: attr.num('zombie_type_') as ZombieType,
      action: attr.num('action_') as ZombieAction,
      zombieLifetime: attr.num('zombie_lifetime_'),
    },
    userActionSet: z.bool('user_action_set_'),
  };
}
