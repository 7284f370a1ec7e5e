/**
 * Small helpers over the shell's AppApi (web/src/app-api.ts) shared by the panels, actions and
 * dialogs: node kinds, error text, read-only state, element creation. Nodes are named by path,
 * '/' (or '') being the server itself.
 */

import type { AppApi, NodeKindName, SelectedNode } from '../app-api.js';

/** A kind as the panels use it: the server row, or one of ecFlow's node kinds. */
export type PanelKind = NodeKindName;

/** The panels, actions and dialogs use the shell's AppApi as it is. */
export type PanelApp = AppApi;
export type { SelectedNode };

/**
 * The kind of the node a selected row stands for: attribute rows stand for their node, whose kind
 * the tree knows.
 */
export function panelKind(sel: SelectedNode, app: AppApi): PanelKind {
  if (sel.kind !== 'attribute') return sel.kind;
  if (isServerPath(sel.path)) return 'server';
  return app.nodeInfo(sel.server, sel.path)?.kind ?? 'task';
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
  return app.readOnlyUi() || app.serverOf(server)?.readOnly === true;
}

/** Select a node through the shell; says so in the status bar when the tree does not know it. */
export function selectNode(app: PanelApp, server: string, path: string): void {
  if (!app.select(server, path)) app.status(`${path} is not in the tree of ${server}`, 'error');
}

/** Create an element with a class and optional text. */
export function el<K extends keyof HTMLElementTagNameMap>(tag: K, cls?: string, text?: string): HTMLElementTagNameMap[K] {
  const e = document.createElement(tag);
  if (cls !== undefined && cls !== '') e.className = cls;
  if (text !== undefined) e.textContent = text;
  return e;
}
