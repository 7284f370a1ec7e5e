/**
 * The contract between the panel container (panels.ts) and one tab (info-tab.ts, output-tab.ts,
 * …): a tab is created for one target node, asked to refresh when that node changes, and disposed
 * when the selection moves elsewhere.
 */

import type { PanelApp, PanelKind, SelectedNode } from './host.js';

/** Panel names, as deep links and `showPanel()` use them. */
export const PanelNames = [
  'info',
  'output',
  'script',
  'job',
  'manual',
  'why',
  'triggers',
  'variables',
  'node-log',
  'server-log',
  'zombies',
] as const;
export type PanelName = (typeof PanelNames)[number];

export function isPanelName(s: string): s is PanelName {
  return (PanelNames as readonly string[]).includes(s);
}

export interface TabContext {
  readonly app: PanelApp;
  readonly target: SelectedNode;
  readonly kind: PanelKind;
  /** Path to send in requests ('' for the server). */
  readonly path: string;
  /** The tab's content element (empty when the tab is created). */
  readonly root: HTMLElement;
  /** True while this tab instance is shown (for polling). */
  isVisible(): boolean;
  /** Show a failed request inside the tab (server text verbatim). */
  showError(e: unknown, what: string): void;
  /** Remove an error shown by showError. */
  clearError(): void;
}

export interface TabInstance {
  /** The node changed (state, flags, …) or the user asked to reload. */
  refresh(reason: 'change' | 'reload'): void;
  /** Called when the tab is shown again after being hidden (optional). */
  shown?(): void;
  dispose(): void;
}

export interface TabDef {
  readonly name: PanelName;
  readonly label: string;
  /** ecflow_ui's one-letter key for the panel (context menu and keyboard). */
  readonly key?: string;
  /** Kinds this tab is for (others show it disabled, like ecflow_ui). */
  readonly kinds: readonly PanelKind[];
  create(ctx: TabContext): TabInstance;
}

export const NODE_KINDS: readonly PanelKind[] = ['suite', 'family', 'task', 'alias'];
export const ALL_KINDS: readonly PanelKind[] = ['server', ...NODE_KINDS];
export const TASK_KINDS: readonly PanelKind[] = ['task', 'alias'];
