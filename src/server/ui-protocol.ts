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
  /** Nodes that have attributes (so the tree shows an expander), sparse: [index, count, …]. */
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
  /** free-deps: which (default trigger); force/defstatus: the state; order: top|bottom|up|down|alpha|runtime. */
  readonly kind?: string;
  /** set-event/clear-event/reset-limit/variable-*: the attribute name; add-label: label name; clear-flag: flag name. */
  readonly name?: string;
  readonly value?: string;
  /** Server-level actions: the UI is in admin mode (the server refuses them otherwise). */
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
    }
  | { readonly type: 'response'; readonly id: number; readonly ok: true; readonly data: unknown }
  | { readonly type: 'response'; readonly id: number; readonly ok: false; readonly error: UiError };

export interface UiError {
  readonly code: string;
  readonly message: string;
  /** The ecFlow server's own text, verbatim, when it refused. */
  readonly serverMessage?: string;
}
