/**
 * AppApi: what the shell (store, tree, connection) offers to the panels module
 * (web/src/panels/index.ts: `mountPanels(container, app)`) and the actions module
 * (web/src/actions/index.ts: `mountActions(toolbar, app)`, `openContextMenu(event, app)`).
 *
 * Everything names nodes by (server, PATH): paths are stable across epochs and reconnects, node
 * indexes are not. The canonical tree lives in typed arrays outside any framework; `nodeInfo`
 * reads one node from them on demand, so call it when you render, do not cache it.
 *
 * @example
 * export function mountPanels(container: HTMLElement, app: AppApi): void {
 *   app.onSelection((sel) => {
 *     const first = sel[0];
 *     if (first === undefined) return;
 *     const info = app.nodeInfo(first.server, first.path);           // state, flags, kind, …
 *     void app.request({ what: 'why', server: first.server, path: first.path })
 *       .then((data) => show(data))
 *       .catch((err: UiRequestError) => showError(err.code, err.message, err.serverMessage));
 *   });
 *   app.onNodeChange((c) => { if (c.touches(current.server, current.path)) refresh(); });
 *   app.onPanel((panel) => openTab(panel ?? 'info'));                 // deep link / Enter key
 *   tabs.onChange((name) => app.setPanel(name));                      // keeps the URL in step
 * }
 */

import type { ServerInfo, UiAttribute, UiError, UiRequest, UiServer } from '../../src/server/ui-protocol.js';

export type NodeKindName = 'server' | 'suite' | 'family' | 'task' | 'alias';
export type NodeStateName = 'unknown' | 'complete' | 'queued' | 'aborted' | 'submitted' | 'active';

/** One selected row. Attribute rows select as kind 'attribute' with the owner node's path. */
export interface SelectedNode {
  readonly server: string;
  /** Absolute node path, '/' for the server row. */
  readonly path: string;
  readonly kind: NodeKindName | 'attribute';
  /** Attribute rows: index under the node and the attribute (when loaded). */
  readonly attributeIndex?: number;
  readonly attribute?: UiAttribute;
}

/** A node as the tree knows it right now (from the typed arrays; cheap, not cached). */
export interface NodeInfo {
  readonly server: string;
  readonly path: string;
  readonly name: string;
  readonly kind: NodeKindName;
  /** Node state; for the server row the aggregated state is unknown: see serverInfo. */
  readonly state: NodeStateName;
  readonly suspended: boolean;
  /** Flag bitmask (protocol §10.6) and its names in ecFlow's order ('late', 'zombie', …). */
  readonly flags: number;
  readonly flagNames: readonly string[];
  /** Default status ('queued' unless set). */
  readonly defStatus: NodeStateName | 'suspended';
  /** Attribute rows the node shows (fetch them with `attributes`). */
  readonly attributeCount: number;
  readonly childCount: number;
  /** Snapshot epoch the values belong to. */
  readonly epoch: number;
  /** The server row: the server's own state, version, … */
  readonly serverInfo?: ServerInfo;
}

/** Something changed on a server: a new snapshot (everything) or merged deltas. */
export interface NodeChange {
  readonly server: string;
  /** True for a new snapshot (another epoch, after a reconnect, a resync). */
  readonly snapshot: boolean;
  /** Did this change touch the node (state, flags or attributes)? Always true for snapshots. */
  touches(server: string, path: string): boolean;
}

/**
 * A failed request: `code` is the stable error code (src/errors.ts, or UI_DISCONNECTED when the
 * socket closed first), `serverMessage` the ecFlow server's own words, verbatim.
 */
export class UiRequestError extends Error implements UiError {
  readonly code: string;
  readonly serverMessage?: string;
  constructor(e: UiError) {
    super(e.message);
    this.name = 'UiRequestError';
    this.code = e.code;
    if (e.serverMessage !== undefined) this.serverMessage = e.serverMessage;
  }
}

export interface AppApi {
  /** Selection changes (click, keys, search result, deep link). Returns an unsubscribe function. */
  onSelection(cb: (selection: readonly SelectedNode[]) => void): () => void;
  /** Current selection, in the order the user picked it (first = the "current" node). */
  getSelection(): readonly SelectedNode[];
  /** Select one node in the tree (expands its ancestors, scrolls to it). False when unknown. */
  select(server: string, path: string): boolean;

  /**
   * Send a request to the local server; resolves with the response `data`, rejects with a
   * UiRequestError (`code`, `message`, `serverMessage`).
   */
  request(req: UiRequest): Promise<unknown>;

  /** The server (with its live `health`), undefined when there is no such server. */
  serverOf(name: string): UiServer | undefined;
  /** All servers, in the tree's order. */
  servers(): readonly UiServer[];
  /** Server list or health changed. */
  onServers(cb: (servers: readonly UiServer[]) => void): () => void;
  /** True when the local server runs in read-only mode (hide every write action). */
  readOnlyUi(): boolean;

  /** One node, read from the tree now; undefined when not (yet) known. '/' = the server. */
  nodeInfo(server: string, path: string): NodeInfo | undefined;
  /** The node's attribute rows (cached per epoch, shared with the tree). */
  attributes(server: string, path: string): Promise<readonly UiAttribute[]>;
  /** Tree changes, at most ~10 per second. */
  onNodeChange(cb: (change: NodeChange) => void): () => void;

  /** The panel named in the URL (`?panel=output`), if any. */
  panel(): string | undefined;
  /** The user switched panels: updates the URL (deep link). Does not call onPanel listeners. */
  setPanel(panel: string | undefined): void;
  /** Open a panel: from a deep link, or Enter on a tree row (then `panel` is the current one or 'info'). */
  onPanel(cb: (panel: string | undefined) => void): () => void;

  /** Show a short message in the status bar (e.g. the result of an action). */
  status(message: string, kind?: 'info' | 'error'): void;
}
