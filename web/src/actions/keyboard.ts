/**
 * Keyboard shortcuts for the selected nodes, ecflow_ui's (shortcuts.txt) where a browser allows:
 *
 *   Ctrl+S  Suspend          Ctrl+R  Resume         Ctrl+E  Execute      Ctrl+U  Rerun
 *   Shift+R Requeue (asks)   Shift+F10 / Menu key: the context menu
 *   i Info  o Output  s Script  j Job  m Manual  w Why  t Triggers  v Variables  z Zombies
 *
 * (Cmd instead of Ctrl on macOS.) None collides with the tree's keys (arrows, Enter, Space,
 * + - . , * Home End). Keys typed in a text field or a dialog are left alone, and so is a key the
 * tree already handled (defaultPrevented).
 */

import type { PanelApp } from '../panels/host.js';
import { openPanel } from '../panels/panels.js';
import { ACTION_ITEMS, isEnabled, visibleItems } from './action-table.js';
import { isAdminMode } from './admin-mode.js';
import { openContextMenu } from './context-menu.js';
import { actionTargets, anyReadOnly, runItem } from './run-action.js';

/** Shortcut → action item id. */
export const ACTION_KEYS: Readonly<Record<string, string>> = {
  'Ctrl+S': 'suspend',
  'Ctrl+R': 'resume',
  'Ctrl+E': 'execute',
  'Ctrl+U': 'rerun',
  'Shift+R': 'requeue',
};

/** Plain letter → panel name (ecflow_ui's panel keys). */
export const PANEL_KEYS: Readonly<Record<string, string>> = {
  i: 'info',
  o: 'output',
  s: 'script',
  j: 'job',
  m: 'manual',
  w: 'why',
  t: 'triggers',
  v: 'variables',
  z: 'zombies',
};

function keyName(e: KeyboardEvent): string {
  const k = e.key.length === 1 ? e.key.toUpperCase() : e.key;
  if ((e.ctrlKey || e.metaKey) && !e.altKey && !e.shiftKey) return `Ctrl+${k}`;
  if (e.shiftKey && !e.ctrlKey && !e.metaKey && !e.altKey) return `Shift+${k}`;
  if (!e.ctrlKey && !e.metaKey && !e.altKey) return e.key;
  return '';
}

function isTyping(t: EventTarget | null): boolean {
  if (!(t instanceof HTMLElement)) return false;
  return t.isContentEditable || t instanceof HTMLInputElement || t instanceof HTMLTextAreaElement || t instanceof HTMLSelectElement || t.closest('dialog, .ecf-menu') !== null;
}

/** Install the shortcuts on the document; returns the uninstaller. */
export function installKeyboard(app: PanelApp): () => void {
  const onKey = (e: KeyboardEvent): void => {
    if (e.defaultPrevented || isTyping(e.target) || document.querySelector('dialog[open]') !== null) return;
    const name = keyName(e);
    if (name === '') return;
    const sel = app.getSelection();
    if ((name === 'Shift+F10' || e.key === 'ContextMenu') && sel.length > 0) {
      e.preventDefault();
      // At the (first) selected tree row when it is in view, else at the focused element.
      const row = document.querySelector('[role="treeitem"][aria-selected="true"]') ?? document.activeElement ?? document.body;
      const r = row.getBoundingClientRect();
      void openContextMenu({ clientX: r.left + 24, clientY: r.top + Math.min(r.height, 24) }, app);
      return;
    }
    const id = ACTION_KEYS[name];
    if (id !== undefined) {
      if (sel.length === 0) return;
      e.preventDefault();
      const targets = actionTargets(app, sel);
      const item = ACTION_ITEMS.find((i) => i.id === id);
      if (item === undefined) return;
      if (anyReadOnly(app, targets)) {
        app.status(`${item.label}: the server is read-only`);
        return;
      }
      const shown = visibleItems(targets, { admin: isAdminMode(), readOnly: false }).includes(item);
      if (!shown || !isEnabled(item, targets)) {
        app.status(`${item.label} does not apply to the selection`);
        return;
      }
      void runItem(app, item, targets);
      return;
    }
    const panel = PANEL_KEYS[name];
    if (panel !== undefined && sel.length > 0) {
      e.preventDefault();
      openPanel(panel);
    }
  };
  document.addEventListener('keydown', onKey);
  return () => document.removeEventListener('keydown', onKey);
}
