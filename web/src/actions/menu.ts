/**
 * A popup menu with submenus and keyboard control (Up/Down, Right opens a submenu, Left/Escape
 * goes back, Enter runs, a shown shortcut letter runs its item). Closed by a click outside,
 * Escape, scrolling, resizing or losing the window focus.
 */

import './actions.css';
import { el } from '../panels/host.js';

export interface MenuEntry {
  readonly label: string;
  /** Shortcut shown on the right; a single letter also runs the item while the menu is open. */
  readonly key?: string;
  readonly disabled?: boolean;
  readonly title?: string;
  readonly cls?: string;
  readonly run?: () => void;
  readonly submenu?: readonly MenuEntry[];
  readonly separator?: boolean;
}

let openRoot: { close(): void } | undefined;

export function closeMenus(): void {
  openRoot?.close();
}

/** Open a menu at (x, y) in viewport coordinates. */
export function showMenu(x: number, y: number, title: string, entries: readonly MenuEntry[]): HTMLElement {
  closeMenus();
  const layers: HTMLElement[] = [];
  const cleanup: Array<() => void> = [];
  const close = (): void => {
    for (const l of layers) l.remove();
    layers.length = 0;
    for (const c of cleanup) c();
    cleanup.length = 0;
    if (openRoot === handle) openRoot = undefined;
  };
  const handle = { close };
  openRoot = handle;

  const build = (list: readonly MenuEntry[], depth: number, heading?: string): HTMLElement => {
    const menu = el('div', 'ecf-menu');
    menu.setAttribute('role', 'menu');
    menu.tabIndex = -1;
    if (heading !== undefined) menu.append(el('div', 'ecf-menu-title', heading));
    for (const e of list) {
      if (e.separator === true && menu.lastElementChild !== null && !menu.lastElementChild.classList.contains('ecf-menu-sep')) {
        menu.append(el('div', 'ecf-menu-sep'));
      }
      const item = el('div', `ecf-menu-item ${e.cls ?? ''}`.trim());
      item.setAttribute('role', 'menuitem');
      item.tabIndex = -1;
      item.dataset['label'] = e.label;
      if (e.title !== undefined) item.title = e.title;
      if (e.disabled === true) item.setAttribute('aria-disabled', 'true');
      item.append(el('span', 'ecf-menu-label', e.label), el('span', 'ecf-menu-key', e.submenu !== undefined ? '▸' : (e.key ?? '')));
      const openSub = (): HTMLElement | undefined => {
        if (e.submenu === undefined || e.disabled === true) return undefined;
        while (layers.length > depth + 1) layers.pop()?.remove();
        const sub = build(e.submenu, depth + 1);
        const r = item.getBoundingClientRect();
        place(sub, r.right - 2, r.top - 4, r.left);
        return sub;
      };
      item.addEventListener('mouseenter', () => {
        item.focus();
        if (e.submenu !== undefined) openSub();
        else while (layers.length > depth + 1) layers.pop()?.remove();
      });
      item.addEventListener('click', (ev) => {
        ev.stopPropagation();
        if (e.disabled === true) return;
        if (e.submenu !== undefined) {
          openSub();
          return;
        }
        close();
        e.run?.();
      });
      item.addEventListener('keydown', (ev) => {
        if (ev.key === 'ArrowRight' && e.submenu !== undefined) {
          ev.preventDefault();
          ev.stopPropagation();
          focusFirst(openSub());
        }
      });
      menu.append(item);
    }
    menu.addEventListener('keydown', (ev) => onKey(ev, menu, list, depth));
    menu.addEventListener('contextmenu', (ev) => ev.preventDefault());
    layers.push(menu);
    document.body.append(menu);
    return menu;
  };

  const onKey = (ev: KeyboardEvent, menu: HTMLElement, list: readonly MenuEntry[], depth: number): void => {
    const items = [...menu.querySelectorAll<HTMLElement>(':scope > .ecf-menu-item:not([aria-disabled])')];
    const at = items.indexOf(document.activeElement as HTMLElement);
    ev.stopPropagation();
    if (ev.key === 'ArrowDown' || ev.key === 'ArrowUp') {
      ev.preventDefault();
      const n = items.length;
      if (n > 0) items[(at + (ev.key === 'ArrowDown' ? 1 : n - 1 + (at < 0 ? 1 : 0))) % n]?.focus();
    } else if (ev.key === 'Enter' || ev.key === ' ') {
      ev.preventDefault();
      (document.activeElement as HTMLElement | null)?.click();
    } else if (ev.key === 'Escape' || (ev.key === 'ArrowLeft' && depth > 0)) {
      ev.preventDefault();
      if (depth === 0) close();
      else {
        while (layers.length > depth) layers.pop()?.remove();
        const parent = layers[depth - 1];
        parent?.querySelector<HTMLElement>('.ecf-menu-item:focus-within, .ecf-menu-item')?.focus();
        parent?.focus();
      }
    } else if (ev.key === 'Tab') {
      ev.preventDefault();
    } else if (ev.key.length === 1 && !ev.ctrlKey && !ev.metaKey && !ev.altKey) {
      const hit = list.find((e) => e.key !== undefined && e.key.toLowerCase() === ev.key.toLowerCase() && e.disabled !== true && e.run !== undefined);
      if (hit !== undefined) {
        ev.preventDefault();
        close();
        hit.run?.();
      }
    }
  };

  const root = build(entries, 0, title);
  place(root, x, y);
  root.focus();
  const outside = (ev: Event): void => {
    if (!layers.some((l) => l.contains(ev.target as Node))) close();
  };
  const onBlur = (): void => close();
  setTimeout(() => {
    if (openRoot !== handle) return;
    document.addEventListener('mousedown', outside, true);
    document.addEventListener('contextmenu', outside, true);
    window.addEventListener('blur', onBlur);
    window.addEventListener('resize', onBlur);
    document.addEventListener('scroll', outside, true);
    cleanup.push(() => {
      document.removeEventListener('mousedown', outside, true);
      document.removeEventListener('contextmenu', outside, true);
      window.removeEventListener('blur', onBlur);
      window.removeEventListener('resize', onBlur);
      document.removeEventListener('scroll', outside, true);
    });
  }, 0);
  return root;
}

function focusFirst(menu: HTMLElement | undefined): void {
  menu?.querySelector<HTMLElement>('.ecf-menu-item:not([aria-disabled])')?.focus();
}

/** Put a menu at (x, y), inside the viewport; `flipX` is where to go when there is no room right. */
function place(menu: HTMLElement, x: number, y: number, flipX?: number): void {
  menu.style.left = '0px';
  menu.style.top = '0px';
  const w = menu.offsetWidth;
  const h = menu.offsetHeight;
  const vw = window.innerWidth;
  const vh = window.innerHeight;
  let left = x;
  if (left + w > vw) left = flipX !== undefined ? Math.max(0, flipX - w) : Math.max(0, vw - w - 2);
  const top = Math.max(0, Math.min(y, vh - h - 2));
  menu.style.left = `${left}px`;
  menu.style.top = `${top}px`;
}
