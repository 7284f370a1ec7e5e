/**
 * What the panels, actions and dialogs need from the app shell: the subset of `AppApi`
 * (web/src/app-api.ts) they use, written structurally so that the real AppApi satisfies it, plus
 * small helpers over it (node kinds, error text, read-only and admin state).
 *
 * Selection items name nodes by path ('' or '/' = the server itself), like UiRequest does.
 */

import type { UiAttribute, UiRequest, UiServer } from '../../../src/server/ui-protocol.js';

/** A kind as the panels use it: the server row, or one of ecFlow's node kinds. */
export type PanelKind = 'server' | 'suite' | 'family' | 'task' | 'alias';

/** One selected row. `attribute` is set when the row is an attribute row under `path`. */
export interface SelectedNode {
  readonly server: string;
  readonly path: string;
  readonly kind: string;
  readonly attribute?: UiAttribute;
}

/** What the shell knows about a node from its snapshot and deltas (all fields optional). */
export interface NodeInfoLike {
  readonly kind?: string;
  /** State name ('aborted') or NState number. */
  readonly state?: string | number;
  readonly suspended?: boolean;
  readonly flags?: number;
  readonly defStatus?: string | number;
  /** Changes whenever the node changes (the server's delta seq, or a per-node counter). */
  readonly seq?: number;
  readonly attributeCount?: number;
}

/** The part of AppApi used here. Optional members are used when the shell provides them. */
export interface PanelApp {
  onSelection(cb: (sel: readonly SelectedNode[]) => void): (() => void) | void;
  getSelection(): readonly SelectedNode[];
  request(req: UiRequest): Promise<unknown>;
  serverOf(name: string): UiServer | undefined;
  nodeInfo(server: string, path: string): NodeInfoLike | undefined;
  /** Select a node in the tree (links in Why/Triggers/Zombies). */
  select?(server: string, path: string): void;
  /** Called when a server's tree changed (delta/snapshot applied). */
  onChange?(cb: (server: string) => void): (() => void) | void;
  /** The UI itself was started read-only (`welcome.readOnlyUi`). */
  readonly readOnlyUi?: boolean;
}

const KIND_BY_CHAR: Record<string, PanelKind> = { s: 'suite', f: 'family', t: 'task', a: 'alias' };

/** Normalise a kind ('t', 'task', 'server', …) to a PanelKind. */
export function panelKind(sel: { readonly path: string; readonly kind?: string | undefined }): PanelKind {
  const k = sel.kind ?? '';
  if (k === 'server' || k === 'suite' || k === 'family' || k === 'task' || k === 'alias') return k;
  const c = KIND_BY_CHAR[k];
  if (c !== undefined) return c;
  if (isServerPath(sel.path)) return 'server';
  return sel.path.split('/').length === 2 ? 'suite' : 'task';
}

export function isServerPath(path: string): boolean {
  return path === '' || path === '/';
}

/** The error shape `app.request` rejects with (UiError on an Error). */
export interface RequestError {
  readonly code?: string;
  readonly message: string;
  readonly serverMessage?: string;
}

export function asRequestError(e: unknown): RequestError {
  if (typeof e === 'object' && e !== null) {
    const o = e as { code?: unknown; message?: unknown; serverMessage?: unknown; error?: unknown };
    if (typeof o.error === 'object' && o.error !== null && !(typeof o.message === 'string')) return asRequestError(o.error);
    const out: { code?: string; message: string; serverMessage?: string } = {
      message: typeof o.message === 'string' ? o.message : String(e),
    };
    if (typeof o.code === 'string') out.code = o.code;
    if (typeof o.serverMessage === 'string' && o.serverMessage !== '') out.serverMessage = o.serverMessage;
    return out;
  }
  return { message: String(e) };
}

/** A cancelled request is not a failure (errors.ts). */
export function isCancelled(e: unknown): boolean {
  return asRequestError(e).code === 'CANCELLED';
}

/** True when write actions are hidden for this server (per-server switch or read-only UI). */
export function isReadOnly(app: PanelApp, server: string): boolean {
  return app.readOnlyUi === true || app.serverOf(server)?.readOnly === true;
}

/** Select a node through the shell (no-op when the shell cannot). */
export function selectNode(app: PanelApp, server: string, path: string): void {
  app.select?.(server, path);
}

/** Create an element with a class and optional text. */
export function el<K extends keyof HTMLElementTagNameMap>(tag: K, cls?: string, text?: string): HTMLElementTagNameMap[K] {
  const e = document.createElement(tag);
  if (cls !== undefined && cls !== '') e.className = cls;
  if (text !== undefined) e.textContent = text;
  return e;
}
