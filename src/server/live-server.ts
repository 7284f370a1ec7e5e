/**
 * One configured ecFlow server, live: a ServerSession kept in sync by NEWS polling, its node table
 * (node-table.ts) and the snapshot/delta stream of ui-protocol.ts for the browsers subscribed to it.
 *
 * Polling (design note):
 *  - every `minMs` (1.5 s) while someone watches and things happen; after `idleAfterMs` (2 min)
 *    without news, subscription or user action the period grows ×1.5 per quiet poll up to `maxMs`
 *    (15 s); a change or a user action brings it back to `minMs`; nobody subscribed: `maxMs`.
 *    1.5 s rather than 2 s so that "a change reaches the browser within 2 s" holds with the
 *    round trip and the delta flush included.
 *  - never two NEWS within `minNewsGapMs` (1 s) of each other, whatever asks for a poll.
 *  - failures (connection, timeout): retried with backoff (1 s doubling to 30 s); the last model
 *    stays (the browser keeps its tree, marked by `health`). A server restart or a route
 *    reconnect ends in NEWS/SYNC answering again; a full sync means a new epoch, same paths.
 *
 * Deltas: changed node indexes are collected and flushed at most every `flushMs` (100 ms, ≤ 10
 * per second); a flush compares each node with what the browser was last told (state, flags,
 * default state, attribute count) so repeated changes collapse into one entry. A structural change
 * (nodes added, removed, re-ordered; a full sync) makes a new epoch: a fresh snapshot for every
 * subscriber. A subscriber whose socket is congested skips deltas and gets a fresh snapshot as soon
 * as it drains (it would otherwise see a seq gap and ask for one).
 */

import { EcflowError, EcflowServerError, ErrorCode } from '../errors.js';
import type { ServerConfig } from '../config/config.js';
import type { EcflowClient, RequestOptions } from '../client/ecflow-client.js';
import { ServerSession, type SessionChange } from '../client/server-session.js';
import type { Defs } from '../model/defs.js';
import { describeCommand, type UserCommand } from '../protocol/commands.js';
import type { Reply } from '../protocol/replies.js';
import { Backoff } from '../transport/backoff.js';
import {
  attributeRowCount,
  buildNodeTable,
  childrenMatch,
  indexOfNode,
  serverInfo,
  snapshotColumns,
  stateCode,
  suitesMatch,
  type NodeTable,
} from './node-table.js';
import { UiRefusal } from './ui-errors.js';
import { UiErrorCode, type ServerHealth, type ServerInfo, type ServerMessage } from './ui-protocol.js';

export interface PollTuning {
  /** Poll period while active, ms (default 1500). */
  readonly minMs: number;
  /** Longest poll period (idle, or nobody watching), ms (default 15 000). */
  readonly maxMs: number;
  /** Quiet time before the period starts to grow, ms (default 120 000). */
  readonly idleAfterMs: number;
  /** Growth per quiet poll once idle (default 1.5). */
  readonly factor: number;
  /** Smallest time between two NEWS requests, ms (default 1000). */
  readonly minNewsGapMs: number;
  /** Smallest time between two deltas, ms (default 100). */
  readonly flushMs: number;
  /** Reconnect backoff: first and largest delay, ms (default 1000, 30 000). */
  readonly retryInitialMs: number;
  readonly retryMaxMs: number;
  /** Timeout of a NEWS/SYNC, ms (default: the client's). */
  readonly requestTimeoutMs?: number;
}

export const DEFAULT_POLL: PollTuning = {
  minMs: 1500,
  maxMs: 15_000,
  idleAfterMs: 120_000,
  factor: 1.5,
  minNewsGapMs: 1000,
  flushMs: 100,
  retryInitialMs: 1000,
  retryMaxMs: 30_000,
};

/** Route facts for a server's health (from the route's status). */
export interface RouteHealth {
  readonly name: string;
  readonly state: string;
  readonly message?: string;
  readonly certificateValidTo?: string | null;
  readonly certificateExpired?: boolean;
}

/** One browser connection as a LiveServer sees it. */
export interface Subscriber {
  /** Queue a text frame. */
  send(text: string): void;
  /** True while the socket has too much unsent data (deltas are skipped, a snapshot follows). */
  readonly congested: boolean;
}

export interface LiveServerOptions {
  readonly name: string;
  readonly config: ServerConfig;
  readonly client: EcflowClient;
  readonly poll?: Partial<PollTuning>;
  /** The route's state now (undefined: direct connection). */
  readonly routeHealth?: () => RouteHealth | undefined;
  /** Health changed (state, message, route, poll period). */
  readonly onHealth?: (name: string, health: ServerHealth) => void;
  readonly onWarning?: (message: string) => void;
  /** Timing facts for logs/benchmarks: snapshot builds and sizes. */
  readonly onStats?: (name: string, stats: { readonly what: 'snapshot'; readonly nodes: number; readonly buildMs: number; readonly bytes: number }) => void;
}

export class LiveServer {
  private nameNow: string;
  private configNow: ServerConfig;
  readonly session: ServerSession;
  private readonly options: LiveServerOptions;
  private readonly tuning: PollTuning;
  private readonly backoff: Backoff;
  private readonly subscribers = new Set<Subscriber>();
  private readonly stale = new Set<Subscriber>();
  private table: NodeTable | undefined;
  private epochNo = 0;
  private seqNo = 0;
  private pending = new Set<number>();
  private infoPending = false;
  private lastInfo: ServerInfo | undefined;
  private snapshotCache: { epoch: number; seq: number; text: string } | undefined;
  private flushTimer: NodeJS.Timeout | undefined;
  private lastFlushAt = 0;
  private pollTimer: NodeJS.Timeout | undefined;
  private dueAt = 0;
  private polling = false;
  private pollMs: number;
  private lastPollStart = 0;
  private lastNewsAt = -Infinity;
  private lastActivityAt = Date.now();
  private lastSyncAt: number | undefined;
  private everConnected = false;
  private lastError: EcflowError | undefined;
  private retryDelay: number | undefined;
  private healthNow: ServerHealth = { state: 'connecting' };
  private healthKey = '';
  private stopped = false;
  private modelWaiters: Array<() => void> = [];

  constructor(options: LiveServerOptions) {
    this.options = options;
    this.nameNow = options.name;
    this.configNow = options.config;
    this.tuning = { ...DEFAULT_POLL, ...options.poll };
    this.pollMs = this.tuning.minMs;
    this.backoff = new Backoff({ initialMs: this.tuning.retryInitialMs, maxMs: this.tuning.retryMaxMs });
    this.session = new ServerSession(options.client, {
      ...(options.config.suites === undefined ? {} : { suites: options.config.suites }),
      onChange: (change) => this.onSessionChange(change),
      ...(options.onWarning === undefined ? {} : { onWarning: (m) => options.onWarning!(`${this.name}: ${m}`) }),
    });
  }

  get name(): string {
    return this.nameNow;
  }
  /** The server's config entry (read_only, logserver, route…). */
  get config(): ServerConfig {
    return this.configNow;
  }

  /**
   * The config entry changed in ways that keep the connection (favourite, read_only, logserver, or
   * the name). A new name: every subscriber gets a snapshot under it (a new epoch).
   */
  reconfigure(config: ServerConfig): void {
    const renamed = config.name !== this.nameNow;
    this.configNow = config;
    this.nameNow = config.name;
    this.snapshotCache = undefined;
    const defs = this.session.defs;
    if (renamed && defs !== undefined && this.table !== undefined) this.newEpoch(defs);
    this.healthKey = '';
    this.updateHealth();
  }

  get client(): EcflowClient {
    return this.session.client;
  }
  get defs(): Defs | undefined {
    return this.session.defs;
  }
  get epoch(): number {
    return this.table?.epoch ?? 0;
  }
  get seq(): number {
    return this.seqNo;
  }
  get nodeTable(): NodeTable | undefined {
    return this.table;
  }
  get health(): ServerHealth {
    return this.healthNow;
  }
  get subscriberCount(): number {
    return this.subscribers.size;
  }
  /** The current poll period, ms. */
  get pollPeriodMs(): number {
    return this.pollMs;
  }

  /** Start polling (the first poll connects and loads the defs). */
  start(): void {
    this.updateHealth();
    this.schedule(0);
  }

  /** Stop polling and drop our client handle (best effort). */
  async stop(): Promise<void> {
    if (this.stopped) return;
    this.stopped = true;
    clearTimeout(this.pollTimer);
    clearTimeout(this.flushTimer);
    this.subscribers.clear();
    this.stale.clear();
    for (const w of this.modelWaiters.splice(0)) w();
    try {
      await this.session.close({ timeoutMs: 3000 });
    } catch {
      // the server may be gone: nothing to drop
    }
  }

  // ---- subscribers ----

  /** Start sending snapshots/deltas to `sub`: a snapshot now when the defs are loaded. */
  subscribe(sub: Subscriber): void {
    this.subscribers.add(sub);
    this.touch();
    if (this.table !== undefined) this.sendSnapshot(sub);
  }

  unsubscribe(sub: Subscriber): void {
    this.subscribers.delete(sub);
    this.stale.delete(sub);
  }

  /** A fresh snapshot for `sub` (it saw a gap or an unknown epoch). */
  resync(sub: Subscriber): void {
    if (!this.subscribers.has(sub)) this.subscribers.add(sub);
    this.flushNow();
    if (this.table !== undefined) this.sendSnapshot(sub);
  }

  /** Let a congested subscriber catch up with a snapshot once its socket drained. */
  drained(sub: Subscriber): void {
    if (this.stale.has(sub) && !sub.congested) {
      this.stale.delete(sub);
      this.sendSnapshot(sub);
    }
  }

  // ---- requests ----

  /** The model, waiting up to `timeoutMs` for the first load. Throws NOT_CONNECTED. */
  async model(timeoutMs = 15_000): Promise<{ defs: Defs; table: NodeTable }> {
    // Still connecting: wait a little. Already failing to load: say so at once.
    if (this.table === undefined && !this.stopped && this.lastError === undefined) {
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, timeoutMs);
        this.modelWaiters.push(() => {
          clearTimeout(timer);
          resolve();
        });
      });
    }
    const defs = this.session.defs;
    const table = this.table;
    if (defs === undefined || table === undefined) {
      throw new UiRefusal(
        UiErrorCode.NOT_CONNECTED,
        `server '${this.name}' is not loaded yet${this.lastError === undefined ? '' : `: ${this.lastError.message}`}`,
      );
    }
    return { defs, table };
  }

  /**
   * Run user commands through the session (each with the SYNC that brings its effect back), in
   * order; the first failure ends the list (the server's text verbatim in EcflowServerError).
   * Counts as user activity: the poll period goes back to its minimum.
   */
  async command(cmds: readonly UserCommand[], options: RequestOptions = {}): Promise<string[]> {
    this.touch();
    const done: string[] = [];
    try {
      for (const cmd of cmds) {
        await this.session.command(cmd, options);
        done.push(describeCommand(cmd));
      }
    } finally {
      this.scheduleFlush();
    }
    return done;
  }

  /** A request that does not change the model (files, logs, zombies, stats): its own connection. */
  request(cmd: UserCommand, options: RequestOptions = {}): Promise<Reply> {
    this.touch();
    return this.session.client.request(cmd, options);
  }

  /** User activity (a request, a subscription): polls come at the minimum period again. */
  touch(): void {
    this.lastActivityAt = Date.now();
    if (this.pollMs !== this.tuning.minMs) {
      this.pollMs = this.tuning.minMs;
      this.updateHealth();
    }
    if (!this.polling && this.retryDelay === undefined) this.schedule(this.nextPollDelay());
  }

  /** Re-read the route state (called periodically by the hub) and push health if it changed. */
  refreshHealth(): void {
    this.updateHealth();
  }

  // ---- polling ----

  private schedule(delayMs: number): void {
    if (this.stopped) return;
    const due = Date.now() + Math.max(0, delayMs);
    if (this.pollTimer !== undefined) {
      if (due >= this.dueAt) return;
      clearTimeout(this.pollTimer);
    }
    this.dueAt = due;
    this.pollTimer = setTimeout(() => void this.tick(), Math.max(0, delayMs));
    this.pollTimer.unref?.();
  }

  private nextPollDelay(): number {
    const now = Date.now();
    const t = this.tuning;
    const gap = this.lastNewsAt + t.minNewsGapMs - now;
    return Math.max(gap, this.lastPollStart + this.pollMs - now, 0);
  }

  private async tick(): Promise<void> {
    this.pollTimer = undefined;
    if (this.stopped || this.polling) return;
    this.polling = true;
    const started = Date.now();
    this.lastPollStart = started;
    this.lastNewsAt = started;
    const options: RequestOptions = this.tuning.requestTimeoutMs === undefined ? {} : { timeoutMs: this.tuning.requestTimeoutMs };
    let delay: number;
    try {
      if (this.session.defs === undefined) {
        await this.session.connect(options);
      } else {
        const r = await this.session.poll(options);
        if (r.kind !== 'none') this.lastActivityAt = Date.now();
      }
      this.everConnected = true;
      this.lastError = undefined;
      this.retryDelay = undefined;
      this.lastSyncAt = Date.now();
      this.backoff.reset();
      this.adaptPeriod();
      delay = -1;
    } catch (e) {
      this.lastError = e instanceof EcflowError ? e : new EcflowError(ErrorCode.BUG, String(e), { cause: e });
      this.retryDelay = this.backoff.next();
      delay = this.retryDelay;
      if (e instanceof EcflowError && e.code === ErrorCode.SYNC) this.options.onWarning?.(`${this.name}: ${e.message}`);
    } finally {
      this.polling = false;
    }
    this.updateHealth();
    this.catchUpStale();
    if (this.stopped) return;
    this.schedule(delay >= 0 ? Math.max(delay, this.lastNewsAt + this.tuning.minNewsGapMs - Date.now()) : this.nextPollDelay());
  }

  private adaptPeriod(): void {
    const t = this.tuning;
    const quiet = Date.now() - this.lastActivityAt;
    let next: number;
    if (this.subscribers.size === 0) next = t.maxMs;
    else if (quiet > t.idleAfterMs) next = Math.min(t.maxMs, Math.round(this.pollMs * t.factor));
    else next = t.minMs;
    this.pollMs = Math.max(t.minMs, next);
  }

  // ---- health ----

  private updateHealth(): void {
    const route = this.options.routeHealth?.();
    const e = this.lastError;
    let state: ServerHealth['state'];
    if (e === undefined) state = this.everConnected ? 'connected' : 'connecting';
    else if (route !== undefined && route.state === 'needs-login') state = 'needs-login';
    else if (isPermanent(e)) state = 'error';
    else state = this.everConnected ? 'reconnecting' : 'connecting';
    const message =
      e === undefined ? undefined : e instanceof EcflowServerError ? e.serverMessage : e.message;
    const health: ServerHealth = {
      state,
      ...(message === undefined ? {} : { message }),
      ...(route === undefined
        ? {}
        : {
            route: { name: route.name, state: route.state, ...(route.message === undefined ? {} : { message: route.message }) },
            ...(route.certificateValidTo === undefined ? {} : { certificateValidTo: route.certificateValidTo }),
            ...(route.certificateExpired === undefined ? {} : { certificateExpired: route.certificateExpired }),
          }),
      ...(this.lastSyncAt === undefined ? {} : { lastSync: new Date(this.lastSyncAt).toISOString() }),
      pollMs: this.retryDelay ?? this.pollMs,
    };
    this.healthNow = health;
    const { lastSync: _ignored, ...rest } = health;
    const key = JSON.stringify(rest);
    if (key !== this.healthKey) {
      this.healthKey = key;
      this.options.onHealth?.(this.name, health);
    }
  }

  // ---- model changes -> snapshots and deltas ----

  private onSessionChange(change: SessionChange): void {
    const defs = this.session.defs;
    if (defs === undefined) return;
    this.lastActivityAt = Date.now();
    if (change.kind === 'full' || this.table === undefined) {
      this.newEpoch(defs);
      return;
    }
    const table = this.table;
    for (const path of change.paths) {
      if (path === '/' || path === '') {
        this.infoPending = true;
        if (!suitesMatch(table, defs)) return this.newEpoch(defs);
        continue;
      }
      const node = defs.findNode(path);
      const i = node === undefined ? undefined : indexOfNode(table, node);
      if (node === undefined || i === undefined || !childrenMatch(table, i, node)) return this.newEpoch(defs);
      this.pending.add(i);
    }
    this.scheduleFlush();
  }

  private newEpoch(defs: Defs): void {
    const t0 = performance.now();
    this.epochNo++;
    this.table = buildNodeTable(defs, this.epochNo);
    this.pending.clear();
    this.infoPending = false;
    clearTimeout(this.flushTimer);
    this.flushTimer = undefined;
    this.lastInfo = serverInfo(defs, this.session.serverVersion);
    const buildMs = performance.now() - t0;
    for (const w of this.modelWaiters.splice(0)) w();
    const text = this.snapshotText();
    this.options.onStats?.(this.name, { what: 'snapshot', nodes: this.table.size, buildMs, bytes: Buffer.byteLength(text) });
    for (const sub of this.subscribers) this.sendText(sub, text, true);
  }

  private scheduleFlush(): void {
    if (this.flushTimer !== undefined || this.stopped) return;
    const wait = Math.max(0, this.lastFlushAt + this.tuning.flushMs - Date.now());
    this.flushTimer = setTimeout(() => this.flushNow(), wait);
  }

  /** Send what is pending as one delta (nothing when nothing the browser knows changed). */
  private flushNow(): void {
    clearTimeout(this.flushTimer);
    this.flushTimer = undefined;
    this.lastFlushAt = Date.now();
    const table = this.table;
    const defs = this.session.defs;
    if (table === undefined || defs === undefined || (this.pending.size === 0 && !this.infoPending)) return;
    const nodes: number[] = [];
    const attributes: number[] = [];
    const counts: number[] = [];
    const defStatus: number[] = [];
    for (const i of this.pending) {
      const node = table.nodes[i]!;
      const code = stateCode(node);
      const flags = node.flags >>> 0;
      if (code !== table.stateCodes[i] || flags !== table.flags[i]) {
        table.stateCodes[i] = code;
        table.flags[i] = flags;
        nodes.push(i, code, flags);
      }
      if (node.defStatus !== table.defStatus[i]) {
        table.defStatus[i] = node.defStatus;
        defStatus.push(i, node.defStatus);
      }
      const count = attributeRowCount(node);
      const countChanged = count !== table.attrCounts[i];
      if (countChanged) {
        table.attrCounts[i] = count;
        counts.push(i, count);
      }
      if (countChanged || node.attrs !== undefined) attributes.push(i);
    }
    this.pending.clear();
    const info = serverInfo(defs, this.session.serverVersion);
    const last = this.lastInfo;
    const sendInfo = this.infoPending || last === undefined || last.state !== info.state || last.flags !== info.flags;
    this.infoPending = false;
    if (nodes.length === 0 && attributes.length === 0 && counts.length === 0 && defStatus.length === 0 && !sendInfo) return;
    if (sendInfo) this.lastInfo = info;
    this.seqNo++;
    const message: ServerMessage = {
      type: 'delta',
      server: this.name,
      epoch: table.epoch,
      seq: this.seqNo,
      ...(sendInfo ? { info } : {}),
      nodes,
      attributes,
      ...(counts.length > 0 ? { attributeCounts: counts } : {}),
      ...(defStatus.length > 0 ? { defStatus } : {}),
    };
    const text = JSON.stringify(message);
    for (const sub of this.subscribers) this.sendText(sub, text, false);
  }

  private snapshotText(): string {
    const table = this.table!;
    const cached = this.snapshotCache;
    if (cached !== undefined && cached.epoch === table.epoch && cached.seq === this.seqNo) return cached.text;
    const message: ServerMessage = {
      type: 'snapshot',
      server: this.name,
      epoch: table.epoch,
      seq: this.seqNo,
      info: serverInfo(this.session.defs!, this.session.serverVersion),
      columns: snapshotColumns(table),
    };
    const text = JSON.stringify(message);
    this.snapshotCache = { epoch: table.epoch, seq: this.seqNo, text };
    return text;
  }

  private sendSnapshot(sub: Subscriber): void {
    this.sendText(sub, this.snapshotText(), true);
  }

  private sendText(sub: Subscriber, text: string, snapshot: boolean): void {
    if (!snapshot && (sub.congested || this.stale.has(sub))) {
      this.stale.add(sub);
      return;
    }
    this.stale.delete(sub);
    sub.send(text);
  }

  private catchUpStale(): void {
    for (const sub of [...this.stale]) this.drained(sub);
  }
}

/** Failures that retrying does not cure by itself (the user must act): shown as `error`. */
function isPermanent(e: EcflowError): boolean {
  return (
    e.code === ErrorCode.AUTH ||
    e.code === ErrorCode.PASSWORD ||
    e.code === ErrorCode.CONFIG ||
    e.code === ErrorCode.INVALID_ARGUMENT ||
    e.code === ErrorCode.TLS ||
    (e.code === ErrorCode.SERVER && /incompatible server/.test(e.message))
  );
}
