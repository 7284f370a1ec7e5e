/**
 * A live copy of one server's defs: the news/sync loop of ecflow-protocol.md §9.2.
 *
 *   connect:  ServerVersionCmd (major >= 5), then a full sync
 *   poll:     NEWS(handle, state_no, modify_no): 0 nothing, 1 SYNC, 2 full sync
 *   command:  Group[<cmd>, SYNC(handle, numbers)] so the reply carries the resulting changes
 *
 * Safety rules (the 5.9.2 server crashes otherwise, §7.2, §16):
 *  - SYNC_FULL is only ever sent with handle 0 — alone, or as [REGISTER(0, suites), SYNC_FULL(0)],
 *    where the server hands the new handle to the sync. A handle the server may have forgotten
 *    (NEWS said 2, or an error mentions "handle(N) does not exist") is never reused: we register anew.
 *  - Enums are validated by the codec before anything is sent.
 *
 * One operation at a time: poll/command/fullSync calls are queued, never interleaved, so the change
 * numbers always match the model they were taken from.
 */

import { EcflowError, ErrorCode, EcflowServerError, isStaleHandleText } from '../errors.js';
import { ClientHandleApi, CtsNodeApi, describeCommand, News, StcApi, SyncApi, type UserCommand } from '../protocol/commands.js';
import type { Reply, SSyncCmdReply } from '../protocol/replies.js';
import { parseDefs, parseNodeText } from '../protocol/defs-parser.js';
import { applyCompoundMementos } from '../model/apply-sync.js';
import type { Defs } from '../model/defs.js';
import { expectReply, type EcflowClient, type RequestOptions } from './ecflow-client.js';

/** Above this many nodes with attributes added/deleted in one sync, a pre-5.13 server gets a full sync. */
const MAX_FLAG_REFRESHES = 16;

export interface ServerSessionOptions {
  /** Only these suites (a client handle is registered); default: the whole server. */
  readonly suites?: readonly string[];
  /** With `suites`: also follow suites added later. Default false. */
  readonly autoAddNewSuites?: boolean;
  /** Non-fatal problems (defs lines not understood, mementos skipped, a failed handle drop). */
  readonly onWarning?: (message: string) => void;
  /** Called after every change of the model, with what happened. */
  readonly onChange?: (change: SessionChange) => void;
}

/** What a sync did to the model. */
export type SessionChange =
  | { readonly kind: 'full'; readonly reason: string; readonly ms: number; readonly bytes: number }
  | { readonly kind: 'incremental'; readonly paths: readonly string[]; readonly ms: number };

export type PollResult = { readonly kind: 'none' } | SessionChange;

/**
 * @example
 * const session = new ServerSession(new EcflowClient({ host: 'vm', port: 3141 }));
 * await session.connect();
 * setInterval(() => session.poll(), 5000);
 * await session.command({ cmd: 'PathsCmd', api: PathsApi.SUSPEND, paths: ['/s1'] });
 */
export class ServerSession {
  readonly client: EcflowClient;
  private readonly options: ServerSessionOptions;
  private model: Defs | undefined;
  private handle = 0;
  private version = '';
  private queue: Promise<unknown> = Promise.resolve();

  constructor(client: EcflowClient, options: ServerSessionOptions = {}) {
    this.client = client;
    this.options = options;
  }

  /** The current model; undefined before the first full sync. */
  get defs(): Defs | undefined {
    return this.model;
  }

  /** The client handle in use (0 = none: the whole server). */
  get clientHandle(): number {
    return this.handle;
  }

  /** The server's version string (from connect). */
  get serverVersion(): string {
    return this.version;
  }

  /** Check the server version, then load the whole defs. */
  connect(options: RequestOptions = {}): Promise<SessionChange> {
    return this.exclusive(async () => {
      const version = await this.client.serverVersion(options);
      const major = Number.parseInt(version, 10);
      if (!(major >= 5)) {
        throw new EcflowError(ErrorCode.SERVER, `incompatible server ${this.client.address}: version '${version}', need 5.x or newer`);
      }
      this.version = version;
      return this.doFullSync('initial load', options);
    });
  }

  /** A full sync now (e.g. on the user's request). */
  fullSync(reason = 'requested', options: RequestOptions = {}): Promise<SessionChange> {
    return this.exclusive(() => this.doFullSync(reason, options));
  }

  /** NEWS, then whatever it asks for. Loads the defs first if there is no model yet. */
  poll(options: RequestOptions = {}): Promise<PollResult> {
    return this.exclusive(async (): Promise<PollResult> => {
      const model = this.model;
      if (model === undefined) return this.doFullSync('no model yet', options);
      let news: News;
      try {
        news = await this.client.news(this.numbers(model), options);
      } catch (e) {
        if (isStaleHandleError(e)) return this.forgetHandleAndResync(options);
        throw e;
      }
      if (news === News.NO_NEWS) return { kind: 'none' };
      if (news === News.DO_FULL_SYNC) {
        // The server restarted or lost our handle: never reuse that handle.
        this.handle = 0;
        return this.doFullSync('server asked for a full sync (restarted, or handle lost)', options);
      }
      let reply: SSyncCmdReply;
      try {
        reply = await this.client.sync(this.numbers(model), options);
      } catch (e) {
        if (isStaleHandleError(e)) return this.forgetHandleAndResync(options);
        throw e;
      }
      return this.applySync(reply, 'sync', options);
    });
  }

  /**
   * Run a user command and bring the model up to date with its effect in the same round trip
   * (`Group[cmd, SYNC]`, as ecflow_ui's auto-sync does). Returns the command's own reply
   * (`StcCmd` OK when the server left it out of the group reply). The server's error text is
   * thrown verbatim as EcflowServerError; the model is still synced.
   */
  command(cmd: UserCommand, options: RequestOptions = {}): Promise<Reply> {
    return this.exclusive(async () => {
      const model = this.model;
      if (model === undefined || cmd.cmd === 'GroupCTSCmd' || cmd.cmd === 'CSyncCmd') {
        return this.client.request(cmd, options);
      }
      const group: UserCommand = {
        cmd: 'GroupCTSCmd',
        children: [cmd, { cmd: 'CSyncCmd', api: SyncApi.SYNC, ...this.numbers(model) }],
      };
      const reply = await this.client.request(group, { ...options, rawGroupReply: true });
      const replies = reply.reply === 'GroupSTCCmd' ? reply.replies : [reply];
      const sync = replies.find((r): r is SSyncCmdReply => r.reply === 'SSyncCmd');
      const errors = replies.flatMap((r) => (r.reply === 'ErrorCmd' ? [r.message] : []));
      const own = replies.find((r) => r.reply !== 'SSyncCmd' && r.reply !== 'ErrorCmd');
      if (own?.reply === 'StcCmd' && own.api === StcApi.DELETE_ALL) {
        await this.doFullSync('all suites deleted', options);
      } else if (sync !== undefined) {
        await this.applySync(sync, 'command', options);
      }
      if (errors.length > 0) {
        const staleOnly = errors.every(isStaleHandleText);
        if (staleOnly) {
          // The command ran; only the sync failed on a forgotten handle.
          await this.forgetHandleAndResync(options);
        } else {
          throw new EcflowServerError(errors.join('\n'), { context: describeCommand(cmd) });
        }
      }
      return own ?? { reply: 'StcCmd', api: StcApi.OK };
    });
  }

  /** Drop our client handle (if any). The model stays as it is. */
  close(options: RequestOptions = {}): Promise<void> {
    return this.exclusive(async () => {
      if (this.handle !== 0) await this.dropHandle(options);
    });
  }

  // ---- internals (always called inside exclusive) ----

  private numbers(model: Defs): { clientHandle: number; stateChangeNo: number; modifyChangeNo: number } {
    return { clientHandle: this.handle, stateChangeNo: model.stateChange, modifyChangeNo: model.modifyChange };
  }

  private async doFullSync(reason: string, options: RequestOptions): Promise<SessionChange> {
    const t0 = performance.now();
    const suites = this.options.suites;
    let text: string;
    if (suites === undefined) {
      if (this.handle !== 0) await this.dropHandle(options);
      const reply = await this.client.syncFull(options);
      text = reply.fullDefs ? reply.defs : reply.serverDefs;
    } else {
      if (this.handle !== 0) await this.dropHandle(options);
      // [REGISTER(0, suites), SYNC_FULL(0)]: the server passes the new handle to the sync (§4.1).
      const reply = await this.client.request(
        {
          cmd: 'GroupCTSCmd',
          children: [
            {
              cmd: 'ClientHandleCmd',
              api: ClientHandleApi.REGISTER,
              clientHandle: 0,
              suites,
              autoAddNewSuites: this.options.autoAddNewSuites ?? false,
            },
            { cmd: 'CSyncCmd', api: SyncApi.SYNC_FULL, clientHandle: 0 },
          ],
        },
        options,
      );
      const replies = expectReply(reply, 'GroupSTCCmd').replies;
      const handleReply = replies.find((r) => r.reply === 'SClientHandleCmd');
      const sync = replies.find((r): r is SSyncCmdReply => r.reply === 'SSyncCmd');
      if (handleReply?.reply !== 'SClientHandleCmd' || sync === undefined) {
        throw new EcflowError(ErrorCode.DECODE, 'register + full sync: the reply lacks the handle or the defs');
      }
      this.handle = handleReply.handle;
      text = sync.fullDefs ? sync.defs : sync.serverDefs;
    }
    this.loadText(text);
    const change: SessionChange = { kind: 'full', reason, ms: performance.now() - t0, bytes: text.length };
    this.options.onChange?.(change);
    return change;
  }

  private loadText(text: string): void {
    const { defs, warnings } = parseDefs(text);
    for (const w of warnings) this.options.onWarning?.(w);
    this.model = defs;
  }

  private async applySync(reply: SSyncCmdReply, why: string, options: RequestOptions): Promise<SessionChange> {
    const t0 = performance.now();
    if (reply.fullDefs || reply.serverDefs !== '') {
      const text = reply.fullDefs ? reply.defs : reply.serverDefs;
      this.loadText(text);
      const change: SessionChange = {
        kind: 'full',
        reason: `server sent the whole defs on ${why}`,
        ms: performance.now() - t0,
        bytes: text.length,
      };
      this.options.onChange?.(change);
      return change;
    }
    const model = this.model;
    if (model === undefined) return this.doFullSync('no model yet', options);
    try {
      const warnings = applyCompoundMementos(model, reply.compounds, reply.stateChangeNo, reply.modifyChangeNo);
      for (const w of warnings) this.options.onWarning?.(w);
    } catch (e) {
      if (e instanceof EcflowError && e.code === ErrorCode.SYNC) {
        this.options.onWarning?.(`incremental sync could not be applied (${e.message}); loading the whole defs`);
        return this.doFullSync('incremental sync did not fit the model', options);
      }
      throw e;
    }
    if (!(await this.refreshClearedFlags(model, reply, options))) {
      return this.doFullSync('many nodes with stale flags (server before 5.13)', options);
    }
    const change: SessionChange = {
      kind: 'incremental',
      paths: reply.compounds.map((c) => c.path),
      ms: performance.now() - t0,
    };
    this.options.onChange?.(change);
    return change;
  }

  /**
   * Servers before 5.13 leave the FlagMemento out of a `clear_attributes_` compound (5.13 appends
   * it, ecflow-protocol-5.17.md §5.1), so after an attribute was added or deleted the node's flags
   * (e.g. `message`, set by every alter) would be stale. We read those nodes' flags back with
   * CtsNodeCmd GET (SNodeCmd text). One request per node: a 5.9.2 server answers a group of GETs
   * with the same (last) node text for every child. Many such nodes: a full sync is cheaper.
   */
  private async refreshClearedFlags(model: Defs, reply: SSyncCmdReply, options: RequestOptions): Promise<boolean> {
    if (!versionBefore(this.version, 5, 13)) return true;
    const paths = [...new Set(reply.compounds.filter((c) => c.clearAttributes && c.path !== '/').map((c) => c.path))];
    if (paths.length > MAX_FLAG_REFRESHES) return false;
    for (const path of paths) {
      let r: Reply;
      try {
        r = await this.client.request({ cmd: 'CtsNodeCmd', api: CtsNodeApi.GET, absNodePath: path }, options);
      } catch (e) {
        if (e instanceof EcflowServerError) continue; // deleted meanwhile: the next sync says so
        throw e;
      }
      const flags = r.reply === 'SNodeCmd' ? firstNodeFlags(r.node) : undefined;
      const target = model.findNode(path);
      if (flags !== undefined && target !== undefined) target.flags = flags;
    }
    return true;
  }

  private async forgetHandleAndResync(options: RequestOptions): Promise<SessionChange> {
    this.handle = 0; // the server no longer knows it: do not drop it, do not sync with it
    return this.doFullSync('client handle no longer known to the server', options);
  }

  private async dropHandle(options: RequestOptions): Promise<void> {
    const handle = this.handle;
    this.handle = 0;
    try {
      await this.client.request({ cmd: 'ClientHandleCmd', api: ClientHandleApi.DROP, clientHandle: handle }, options);
    } catch (e) {
      if (e instanceof EcflowServerError) {
        this.options.onWarning?.(`dropping client handle ${handle}: ${e.serverMessage}`);
      } else throw e;
    }
  }

  private exclusive<T>(work: () => Promise<T>): Promise<T> {
    const run = this.queue.then(work, work);
    this.queue = run.catch(() => undefined);
    return run;
  }
}

function isStaleHandleError(e: unknown): boolean {
  return e instanceof EcflowServerError && isStaleHandleText(e.serverMessage);
}

/** True when `version` ("5.9.2") is older than major.minor; unknown versions count as old. */
function versionBefore(version: string, major: number, minor: number): boolean {
  const m = /^(\d+)\.(\d+)/.exec(version);
  if (m === null) return true;
  const [vMajor, vMinor] = [Number(m[1]), Number(m[2])];
  return vMajor < major || (vMajor === major && vMinor < minor);
}

/** Flags of the node an SNodeCmd text describes (its first node line). */
function firstNodeFlags(text: string): number | undefined {
  return parseNodeText(text).node?.flags;
}
