/**
 * Keyboard of the tree (WAI-ARIA tree pattern + ecflow_ui habits):
 *   ↑/↓ move (Shift extends the selection), Home/End, PgUp/PgDn,
 *   → expand / go to the first child, ← collapse / go to the parent,
 *   + expand, * expand everything below, - collapse everything below,
 *   Enter open the panel, Space (Ctrl) toggle selection, Ctrl+C copy the path(s).
 * Letters are the actions module's panel keys (i o s j m w t v z), so there is no type-ahead.
 * Handled keys are preventDefault()ed: the document-level shortcuts skip them.
 */

import type { Store } from '../store.js';
import type { RowRef } from './forest.js';
import { ROOT } from './snapshot-decode.js';

export interface KeyTarget {
  readonly rowCount: number;
  readonly pageRows: number;
  scrollToIndex(g: number, how?: 'nearest' | 'center'): void;
  toggle(r: RowRef, below: boolean): void;
  selectRange(r: RowRef, g: number): void;
  readonly handlers: { onOpen?: () => void };
}

/** Copy text to the clipboard (async API when allowed, else a hidden textarea). */
export async function copyText(text: string): Promise<void> {
  try {
    await navigator.clipboard.writeText(text);
    return;
  } catch {
    const ta = document.createElement('textarea');
    ta.value = text;
    ta.style.position = 'fixed';
    ta.style.opacity = '0';
    document.body.append(ta);
    ta.select();
    document.execCommand('copy');
    ta.remove();
  }
}

function moveTo(view: KeyTarget, store: Store, g: number, extend: boolean): void {
  const total = view.rowCount;
  if (total === 0) return;
  const k = Math.max(0, Math.min(total - 1, g));
  const r = store.forest.rowAt(k);
  if (r === undefined) return;
  if (extend) view.selectRange(r, k);
  else store.selectRows([r], r);
  view.scrollToIndex(k);
}

export function handleTreeKey(view: KeyTarget, store: Store, ev: KeyboardEvent): void {
  const focus = store.focusRow();
  const cur = focus === undefined ? -1 : store.forest.indexOf(focus);
  const entry = focus === undefined ? undefined : store.entries[focus.s];
  let handled = true;
  switch (ev.key) {
    case 'ArrowDown':
      moveTo(view, store, cur + 1, ev.shiftKey);
      break;
    case 'ArrowUp':
      moveTo(view, store, cur < 0 ? 0 : cur - 1, ev.shiftKey);
      break;
    case 'Home':
      moveTo(view, store, 0, ev.shiftKey);
      break;
    case 'End':
      moveTo(view, store, view.rowCount - 1, ev.shiftKey);
      break;
    case 'PageDown':
      moveTo(view, store, Math.max(cur, 0) + view.pageRows, ev.shiftKey);
      break;
    case 'PageUp':
      moveTo(view, store, Math.max(cur, 0) - view.pageRows, ev.shiftKey);
      break;
    case 'ArrowRight': {
      if (focus === undefined || entry === undefined || focus.attr >= 0) break;
      const tree = entry.tree;
      const expandable = focus.node === ROOT ? tree !== undefined && tree.n > 0 : (tree?.isExpandable(focus.node) ?? false);
      const open = focus.node === ROOT ? entry.expanded : (tree?.isExpanded(focus.node) ?? false);
      if (expandable && !open) view.toggle(focus, false);
      else if (expandable) moveTo(view, store, cur + 1, false);
      break;
    }
    case 'ArrowLeft': {
      if (focus === undefined || entry === undefined) break;
      const tree = entry.tree;
      const open = focus.attr < 0 && (focus.node === ROOT ? entry.expanded : (tree?.isExpanded(focus.node) ?? false));
      if (open) {
        view.toggle(focus, false);
      } else if (focus.node !== ROOT) {
        const parent: RowRef = focus.attr >= 0 ? { s: focus.s, node: focus.node, attr: -1 } : { s: focus.s, node: tree!.parentOf(focus.node), attr: -1 };
        const g = store.forest.indexOf(parent);
        if (g >= 0) moveTo(view, store, g, false);
      }
      break;
    }
    case '+':
      if (focus !== undefined && focus.attr < 0) store.setExpanded(focus, true);
      break;
    case '*':
      if (focus !== undefined && focus.attr < 0) store.setExpanded(focus, true, true);
      break;
    case '-':
      if (focus !== undefined && focus.attr < 0) store.setExpanded(focus, false, true);
      break;
    case 'Enter':
      view.handlers.onOpen?.();
      break;
    case ' ':
      if (focus !== undefined) store.selectRows([focus], focus, ev.ctrlKey || ev.metaKey ? 'toggle' : 'replace');
      break;
    default:
      handled = false;
  }
  if (!handled && (ev.ctrlKey || ev.metaKey) && (ev.key === 'c' || ev.key === 'C')) {
    const paths = store.getSelection().map((s) => (s.path === '/' ? s.server : s.path));
    if (paths.length > 0) {
      void copyText(paths.join('\n'));
      store.status(paths.length === 1 ? `Copied ${paths[0]}` : `Copied ${paths.length} paths`);
    }
    handled = true;
  }
  if (handled) {
    ev.preventDefault();
  }
}
