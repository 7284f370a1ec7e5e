/**
 * The messages between the local ecflow-remote process and the browser UI, over one WebSocket
 * (`/ws?token=…`). Pure types and small codecs shared by src/server (Node) and web/ (browser):
 * no Node or DOM types here.
 *
 * Model of a server's tree in the browser (a million nodes must stay fluid):
 *  - A `snapshot` carries the whole node table of one server in pre-order (depth-first, children
 *    in server order), column-wise: one string per column, one character per node, names joined by
 *    '\n'. The browser rebuilds parent/child links from the depths in O(n) into typed arrays.
 *  - Node ids are indexes into that table, valid within one `epoch`. Structural changes (a full
 *    sync, nodes added/removed, re-ordered) make a new snapshot with `epoch + 1`.
 *  - Everything else (state, flags, suspended, attributes changed) comes as `delta` messages with
 *    a per-server `seq` that grows by one per message. A browser that sees a gap (or another
 *    epoch) sends `resync` and gets a new snapshot.
 *  - Attributes (meters, labels, events, repeats, triggers, times, limits, …) are not in the
 *    snapshot: the browser asks `attributes` for the nodes it shows; deltas name nodes whose
 *    attributes changed so that visible ones can be asked again.
 *
 * Every request carries an `id`; its answer (`response`) carries the same id. Errors cross the
 * socket serialised with their stable code (src/errors.ts).
 */

export const UI_PROTOCOL_VERSION = 1;

/** Node kinds, one character each in `SnapshotColumns.kinds`. */
export const NodeKindChar = { suite: 's', family: 'f', task: 't', alias: 'a' } as const;
export type NodeKindChar = (typeof NodeKindChar)[keyof typeof NodeKindChar];

/**
 * State column: one character per node = String.fromCharCode(48 + (nstate | suspended << 3)),
 * nstate 0 unknown, 1 complete, 2 queued, 3 aborted, 4 submitted, 5 active (protocol §8.4).
 */
export function encodeStateChar(nstate: number, suspended: boolean): string {
  return String.fromCharCode(48 + (nstate | (suspended ? 8 : 0)));
}
export function decodeStateChar(code: number): { nstate: number; suspended: boolean } {
  const v = code - 48;
  return { nstate: v & 7, suspended: (v & 8) !== 0 };
}

/** Depth column: one character per node = String.fromCharCode(48 + depth), suites at depth 0. */
export function encodeDepthChar(depth: number): string {
  return String.fromCharCode(48 + depth);
}

export interface SnapshotColumns {
  /** Node names, in pre-order, joined by '\n' (names never contain white space). */
  readonly names: string;
  /** One character per node: 48 + depth. */
  readonly depths: string;
  /** One character per node: s f t a. */
  readonly kinds: string;
  /** One character per node: see encodeStateChar. */
  readonly states: string;
  /** Nodes with flags (protocol §10.6 bitmask), sparse: [index, flags, index, flags, …]. */
  readonly flags: readonly number[];
  /** Nodes with a default status other than queued, sparse: [index, dstate, …]. */
  readonly defStatus: readonly number[];
  /**
   * Nodes that have attributes (so the tree shows an expander), sparse: [index, count, …]. The
   * count leaves variables out (ecflow_ui's tree hides them by default): an `attributes` answer
   * has `count` rows, then the node's own variables as `variable` rows.
   */
  readonly attributeCounts: readonly number[];
}

/** How the server itself is doing (the tree's root row). */
export interface ServerInfo {
  readonly version: string;
  /** HALTED, SHUTDOWN or RUNNING. */
  readonly state: 'HALTED' | 'SHUTDOWN' | 'RUNNING';
  readonly flags: number;
  readonly stateChange: number;
  readonly modifyChange: number;
}

/** Per-server connection health, shown next to the server. */
export interface ServerHealth {
  readonly state: 'connecting' | 'connected' | 'reconnecting' | 'needs-login' | 'error' | 'disabled';
  readonly message?: string;
  /** The route's state when the server is behind one. */
  readonly route?: { readonly name: string; readonly state: string; readonly message?: string };
  /** ISO time the route's certificate expires (absent: no certificate). */
  readonly certificateValidTo?: string | null;
  readonly certificateExpired?: boolean;
  /** ISO time of the last successful NEWS/SYNC. */
  readonly lastSync?: string;
  /** Current polling period. */
  readonly pollMs?: number;
}

/** A server as the UI lists it. Passwords never travel to the browser: only `hasPassword`. */
export interface UiServer {
  readonly name: string;
  readonly host: string;
  readonly port: number;
  readonly route?: string;
  readonly remoteUser?: string;
  readonly customUser?: string;
  readonly ssl: boolean;
  readonly favourite: boolean;
  readonly readOnly: boolean;
  readonly hasPassword: boolean;
  readonly suites?: readonly string[];
  readonly health: ServerHealth;
}

/** An attribute row of a node (what the tree shows under the node). */
export type UiAttribute =
  | { readonly kind: 'meter'; readonly name: string; readonly value: number; readonly min: number; readonly max: number; readonly colourChange: number }
  | { readonly kind: 'event'; readonly name: string; readonly number?: number; readonly value: boolean; readonly initial: boolean }
  | { readonly kind: 'label'; readonly name: string; readonly value: string; readonly original: string }
  | { readonly kind: 'repeat'; readonly text: string; readonly name: string; readonly value: string }
  | { readonly kind: 'trigger' | 'complete'; readonly text: string; readonly free: boolean; readonly holding?: boolean }
  | { readonly kind: 'limit'; readonly name: string; readonly value: number; readonly max: number; readonly paths: readonly string[] }
  | { readonly kind: 'inlimit'; readonly text: string }
  | { readonly kind: 'late'; readonly text: string; readonly isLate: boolean }
  | { readonly kind: 'time' | 'today' | 'date' | 'day' | 'cron'; readonly text: string; readonly free: boolean }
  | { readonly kind: 'variable'; readonly name: string; readonly value: string }
  | {
      readonly kind: 'autocancel' | 'autoarchive' | 'autorestore' | 'zombie' | 'verify' | 'queue' | 'generic' | 'aviso' | 'mirror' | 'clock' | 'other';
      readonly text: string;
    };

// ---- browser -> server ----

export type ClientMessage =
  | { readonly type: 'hello'; readonly version: number }
  /** Start receiving this server's snapshot and deltas (and stop with `unsubscribe`). */
  | { readonly type: 'subscribe'; readonly server: string }
  | { readonly type: 'unsubscribe'; readonly server: string }
  /** A gap in `seq` or an unknown epoch: send me a new snapshot. */
  | { readonly type: 'resync'; readonly server: string }
  | { readonly type: 'request'; readonly id: number; readonly request: UiRequest };

/** Node paths name nodes in requests (stable across epochs); `''` or '/' = the server. */
export type UiRequest =
  | { readonly what: 'attributes'; readonly server: string; readonly epoch: number; readonly nodes: readonly number[] }
  | { readonly what: 'info'; readonly server: string; readonly path: string }
  | { readonly what: 'output'; readonly server: string; readonly path: string; readonly tryNo?: number; readonly maxLines?: number }
  /** Appended output since a previous `output`/`output-more` (log server `delta`). */
  | {
      readonly what: 'output-more';
      readonly server: string;
      readonly path: string;
      readonly tryNo?: number;
      readonly size: number;
      readonly mtime: number;
      readonly checksum: string;
    }
  | { readonly what: 'file'; readonly server: string; readonly path: string; readonly file: 'script' | 'job' | 'manual' | 'kill' | 'stat' }
  | { readonly what: 'why'; readonly server: string; readonly path: string }
  | { readonly what: 'triggers'; readonly server: string; readonly path: string }
  | { readonly what: 'variables'; readonly server: string; readonly path: string }
  | { readonly what: 'edit-history'; readonly server: string; readonly path: string }
  | { readonly what: 'server-log'; readonly server: string; readonly lines?: number }
  | { readonly what: 'zombies'; readonly server: string }
  | { readonly what: 'action'; readonly server: string; readonly action: UiAction; readonly paths: readonly string[]; readonly args?: UiActionArgs }
  | { readonly what: 'servers' }
  | { readonly what: 'server-save'; readonly server: UiServerEdit; readonly previousName?: string }
  | { readonly what: 'server-remove'; readonly name: string }
  | { readonly what: 'servers-import'; readonly file?: string }
  | { readonly what: 'routes' };

/** What the add/edit dialog sends. `password` only when the user typed one (stored 0600, never sent back). */
export interface UiServerEdit {
  readonly name: string;
  readonly host: string;
  readonly port: number;
  readonly route?: string;
  readonly remoteUser?: string;
  readonly customUser?: string;
  readonly ssl: boolean;
  readonly favourite: boolean;
  readonly readOnly: boolean;
  readonly password?: string;
  readonly clearPassword?: boolean;
}

/** User actions (ecflow_ui's node menu, issue 4 §6). Server-level ones need admin mode. */
export const UiActions = [
  'suspend',
  'resume',
  'rerun',
  'execute',
  'requeue',
  'requeue-aborted',
  'set-complete',
  'set-aborted',
  'kill',
  'status',
  'free-deps',
  'defstatus',
  'force',
  'set-event',
  'clear-event',
  'reset-limit',
  'begin',
  'order',
  'add-label',
  'clear-flag',
  'variable-add',
  'variable-change',
  'variable-delete',
  'zombie-fob',
  'zombie-fail',
  'zombie-adopt',
  'zombie-remove',
  'zombie-kill',
  'server-restart',
  'server-halt',
  'server-shutdown',
  'server-checkpoint',
] as const;
export type UiAction = (typeof UiActions)[number];

export interface UiActionArgs {
  /** free-deps: all|trigger|time|date (default trigger); force/defstatus: the state; order: top|bottom|up|down|alpha|runtime. */
  readonly kind?: string;
  /** set-event/clear-event/reset-limit/variable-*: the attribute name; add-label: label name; clear-flag: flag name. */
  readonly name?: string;
  /** add-label: the text; variable-add/change: the value; zombie-*: one process id (default: every zombie of the paths). */
  readonly value?: string;
  /** Server-level actions and `force`: the UI is in admin mode (refused with ADMIN_REQUIRED otherwise). */
  readonly admin?: boolean;
}

// ---- server -> browser ----

export type ServerMessage =
  | { readonly type: 'welcome'; readonly version: number; readonly servers: readonly UiServer[]; readonly readOnlyUi?: boolean }
  | { readonly type: 'servers'; readonly servers: readonly UiServer[] }
  | { readonly type: 'health'; readonly server: string; readonly health: ServerHealth }
  | {
      readonly type: 'snapshot';
      readonly server: string;
      readonly epoch: number;
      readonly seq: number;
      readonly info: ServerInfo;
      readonly columns: SnapshotColumns;
    }
  | {
      readonly type: 'delta';
      readonly server: string;
      readonly epoch: number;
      readonly seq: number;
      readonly info?: ServerInfo;
      /** Changed nodes: [index, stateChar code, flags, …] triples. */
      readonly nodes: readonly number[];
      /** Nodes whose attributes changed (ask again if shown). */
      readonly attributes: readonly number[];
      /** Extension (absent = none): new attribute counts, sparse [index, count, …] (0 = none left). */
      readonly attributeCounts?: readonly number[];
      /** Extension (absent = none): new default states, sparse [index, dstate, …] (2 = queued). */
      readonly defStatus?: readonly number[];
    }
  | { readonly type: 'response'; readonly id: number; readonly ok: true; readonly data: unknown }
  | { readonly type: 'response'; readonly id: number; readonly ok: false; readonly error: UiError };

export interface UiError {
  readonly code: string;
  readonly message: string;
  /** The ecFlow server's own text, verbatim, when it refused. */
  readonly serverMessage?: string;
}

// ---- error codes and answers (extension: the `data` of an ok `response`, per request) ----

/**
 * Codes of UiError besides those of src/errors.ts (SERVER and AUTH carry the ecFlow server's text
 * in `serverMessage`; CONNECT, TIMEOUT, PASSWORD, CONFIG, INVALID_ARGUMENT …).
 */
export const UiErrorCode = {
  /** The server is `read_only` in the config: no changing request is sent. */
  READ_ONLY: 'READ_ONLY',
  /** A server-level action without `args.admin`. */
  ADMIN_REQUIRED: 'ADMIN_REQUIRED',
  /** `attributes` for an epoch that is no longer current: resync first. */
  STALE_EPOCH: 'STALE_EPOCH',
  /** No server of that name in the config. */
  UNKNOWN_SERVER: 'UNKNOWN_SERVER',
  /** No node at that path in the current model. */
  UNKNOWN_NODE: 'UNKNOWN_NODE',
  /** The server has not been loaded yet (still connecting, or unreachable). */
  NOT_CONNECTED: 'NOT_CONNECTED',
  /** A malformed message or request. */
  BAD_REQUEST: 'BAD_REQUEST',
} as const;

/** `attributes`: the rows of each asked node (nodes unknown in the epoch are left out). */
export interface UiAttributesData {
  readonly epoch: number;
  readonly nodes: readonly { readonly index: number; readonly attributes: readonly UiAttribute[] }[];
}

/** `info` of a node (path) or of the server (path '' or '/'). */
export interface UiInfoData {
  readonly server: string;
  readonly path: string;
  readonly kind: 'server' | 'suite' | 'family' | 'task' | 'alias';
  readonly name: string;
  /** State name: unknown, complete, queued, aborted, submitted, active (server: HALTED/SHUTDOWN/RUNNING). */
  readonly state: string;
  readonly suspended: boolean;
  /** Default state name (queued unless defstatus says otherwise). */
  readonly defStatus?: string;
  /** Flag names in ecFlow's order (late, zombie, message, …). */
  readonly flags: readonly string[];
  /** Seconds since the suite's start at the last state change (`dur:`), and as hh:mm:ss. */
  readonly dur?: number;
  readonly durText?: string;
  /** When the state last changed (suite calendar start + dur), ISO, when the calendar is known. */
  readonly stateChangedAt?: string;
  /** Runtime of the last state change (`rt:`), seconds. */
  readonly rt?: number;
  /** Tasks and aliases. */
  readonly tryNo?: number;
  readonly rid?: string;
  readonly abortReason?: string;
  /** The job output path (ECF_JOBOUT) of the current try. */
  readonly jobOutput?: string;
  /** Child nodes (suites for the server). */
  readonly children: number;
  /** Suites: begun, and the suite clock/calendar texts. */
  readonly begun?: boolean;
  readonly clock?: string;
  readonly calendar?: string;
  /** The server: ecFlow version, host:port, the text of `--stats`, and the server variables. */
  readonly version?: string;
  readonly address?: string;
  readonly route?: string;
  readonly statsText?: string;
  readonly statsError?: UiError;
  readonly variables?: readonly UiVariableRow[];
  readonly health?: ServerHealth;
}

/** One output file try. */
export interface UiOutputTry {
  readonly tryNo: number;
  readonly path: string;
  readonly current: boolean;
  readonly listed: boolean;
  readonly size?: number;
  readonly mtime?: number;
}

/** `output`: where it came from, the text, and what `output-more` needs (log server only). */
export interface UiOutputData {
  readonly source: 'logserver' | 'server';
  /** e.g. `log server logsvr:9316`, `ecflow server host:3141 (last 10000 lines)`. */
  readonly sourceDescription: string;
  readonly path: string;
  readonly tryNo: number;
  readonly current: boolean;
  readonly content: string;
  readonly truncated: boolean;
  /** Bytes, Unix seconds and checksum: send them back in `output-more` (log server source only). */
  readonly size?: number;
  readonly mtime?: number;
  readonly checksum?: string;
  readonly tries: readonly UiOutputTry[];
  /** Sources tried first that failed, and why. */
  readonly attempts: readonly { readonly source: string; readonly description: string; readonly error: UiError }[];
}

/** `output-more`: what changed since size/mtime/checksum. */
export interface UiOutputMoreData {
  /** unchanged: nothing new; appended: `text` follows what you have; replaced: `text` is the whole file. */
  readonly kind: 'unchanged' | 'appended' | 'replaced';
  readonly text: string;
  readonly size: number;
  readonly mtime: number;
  readonly checksum: string;
}

/** `file`, `edit-history`, `server-log`: text from the server. */
export interface UiTextData {
  readonly path?: string;
  readonly text: string;
  /** How it was fetched, e.g. `--file=/s/t job 10000`. */
  readonly source: string;
}

/** `why`: ecflow_client's lines, and the reasons with paths for links. */
export interface UiWhyData {
  readonly path: string;
  readonly lines: readonly string[];
  readonly reasons: readonly { readonly kind: string; readonly path: string; readonly text: string; readonly details: readonly string[] }[];
}

/** A trigger/complete dependency between two nodes. */
export interface UiDependency {
  /** The node whose expression it is. */
  readonly node: string;
  readonly expression: 'trigger' | 'complete';
  /** The node referred to. */
  readonly target: string;
  readonly found: boolean;
  /** State name of the other node (target for "triggers of", node for "triggered by"). */
  readonly state?: string;
}

/** `triggers`. */
export interface UiTriggersData {
  readonly path: string;
  readonly trigger?: { readonly text: string; readonly free: boolean; readonly holds: boolean };
  readonly complete?: { readonly text: string; readonly free: boolean; readonly holds: boolean };
  /** What this node's expressions refer to. */
  readonly triggersOf: readonly UiDependency[];
  /** Expressions of other nodes that refer to this node or a node below it. */
  readonly triggeredBy: readonly UiDependency[];
}

/** One variable row. */
export interface UiVariableRow {
  readonly name: string;
  readonly value: string;
  /** Computed (ECF_JOB, TASK, …) or a server built-in: cannot be deleted. */
  readonly generated?: boolean;
  /** Hidden by a variable of the same name nearer the node. */
  readonly shadowed?: boolean;
}

/** `variables`: the node's own section first, then each ancestor, the server last. */
export interface UiVariablesData {
  readonly path: string;
  readonly sections: readonly {
    readonly path: string;
    readonly kind: 'server' | 'suite' | 'family' | 'task' | 'alias';
    readonly name: string;
    readonly variables: readonly UiVariableRow[];
  }[];
}

/** `zombies`: one row per zombie. */
export interface UiZombie {
  readonly path: string;
  readonly type: string;
  readonly userAction: string;
  readonly userActionSet: boolean;
  readonly tryNo: number;
  readonly duration: number;
  readonly calls: number;
  readonly lastChildCmd: string;
  readonly processId: string;
  readonly host: string;
  readonly userCmd: string;
}

/** `action`: the commands sent, as ecflow_client options (e.g. `--suspend=/s/f`). */
export interface UiActionData {
  readonly commands: readonly string[];
}

/** `servers-import`. */
export interface UiServersImportData {
  readonly file: string;
  readonly added: readonly string[];
  /** Lines not imported (duplicates, bad fields, HTTP servers), with the reason. */
  readonly skipped: readonly { readonly line: number; readonly name?: string; readonly reason: string }[];
  readonly duplicates: number;
}

/** `routes`: each configured route. */
export interface UiRoute {
  readonly name: string;
  readonly destination: string;
  /** idle, connecting, up, backoff, needs-login, failed, or 'not started'. */
  readonly state: string;
  readonly message?: string;
  readonly since?: string;
  readonly socksPort?: number;
  readonly reconnects?: number;
  readonly certificateValidTo?: string | null;
  readonly certificateExpired?: boolean;
  readonly certificateWarning?: string;
  /** True when the route belongs to a running `ecflow-remote up`. */
  readonly fromUp: boolean;
}

/** The `data` of an ok response, by request `what`. */
export interface UiResponseData {
  readonly attributes: UiAttributesData;
  readonly info: UiInfoData;
  readonly output: UiOutputData;
  readonly 'output-more': UiOutputMoreData;
  readonly file: UiTextData;
  readonly why: UiWhyData;
  readonly triggers: UiTriggersData;
  readonly variables: UiVariablesData;
  readonly 'edit-history': UiTextData;
  readonly 'server-log': UiTextData;
  readonly zombies: readonly UiZombie[];
  readonly action: UiActionData;
  readonly servers: readonly UiServer[];
  readonly 'server-save': UiServer;
  readonly 'server-remove': { readonly removed: string };
  readonly 'servers-import': UiServersImportData;
  readonly routes: readonly UiRoute[];
}
