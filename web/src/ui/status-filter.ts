/**
 * The tree's status filter (ecflow_ui "status filter", reference §1.3): a menu of state
 * checkboxes; the tree then shows only nodes in the chosen states plus their ancestors. No state
 * chosen = no filter. The choice is kept in localStorage.
 */

import type { Store } from '../store.js';
import { NO_FILTER, type StatusFilter } from '../tree/server-tree.js';
import { STATE_NAMES, stateColour } from '../tree/state-style.js';
import { button, h } from './dom.js';

const KEY = 'ecflow-remote.statusFilter';
/** nstate values in ecflow_ui's menu order; 8 = suspended. */
const CHOICES = [5, 4, 3, 2, 1, 0, 8] as const;

function load(): StatusFilter {
  try {
    const v = JSON.parse(localStorage.getItem(KEY) ?? 'null') as StatusFilter | null;
    if (v !== null && typeof v.stateMask === 'number' && typeof v.suspended === 'boolean') return v;
  } catch {
    /* ignore */
  }
  return NO_FILTER;
}

export function mountStatusFilter(host: HTMLElement, store: Store): void {
  const wrap = h('div', 'menu-wrap');
  const btn = button('Filter ▾', () => toggle(), 'btn', 'Show only nodes in these states (and their ancestors)');
  btn.setAttribute('aria-haspopup', 'true');
  btn.setAttribute('aria-expanded', 'false');
  const pop = h('div', 'popover', undefined, { role: 'group', 'aria-label': 'Status filter' });
  pop.hidden = true;
  const boxes = new Map<number, HTMLInputElement>();
  for (const s of CHOICES) {
    const label = h('label', 'check');
    const input = h('input');
    input.type = 'checkbox';
    input.addEventListener('change', () => apply());
    const swatch = h('span', 'swatch', undefined, { 'aria-hidden': 'true' });
    swatch.style.background = stateColour(s === 8 ? 8 : s);
    label.append(input, swatch, document.createTextNode(s === 8 ? 'suspended' : STATE_NAMES[s]!));
    boxes.set(s, input);
    pop.append(label);
  }
  const clear = button('Show all', () => {
    for (const b of boxes.values()) b.checked = false;
    apply();
  }, 'btn small');
  pop.append(clear);
  wrap.append(btn, pop);
  host.append(wrap);

  function toggle(open = pop.hidden): void {
    pop.hidden = !open;
    btn.setAttribute('aria-expanded', String(open));
  }
  document.addEventListener('mousedown', (e) => {
    if (!pop.hidden && !wrap.contains(e.target as Node)) toggle(false);
  });
  pop.addEventListener('keydown', (e) => {
    if (e.key === 'Escape') {
      toggle(false);
      btn.focus();
    }
  });

  function show(f: StatusFilter): void {
    for (const [s, b] of boxes) b.checked = s === 8 ? f.suspended : (f.stateMask & (1 << s)) !== 0;
    const n = [...boxes.values()].filter((b) => b.checked).length;
    btn.textContent = n === 0 ? 'Filter ▾' : `Filter (${n}) ▾`;
    btn.classList.toggle('active', n > 0);
  }
  function apply(): void {
    let mask = 0;
    for (const [s, b] of boxes) if (s !== 8 && b.checked) mask |= 1 << s;
    const f: StatusFilter = { stateMask: mask, suspended: boxes.get(8)!.checked };
    try {
      localStorage.setItem(KEY, JSON.stringify(f));
    } catch {
      /* ignore */
    }
    store.setFilter(f);
  }
  store.events.on('filter', (f) => show(f));
  const initial = load();
  show(initial);
  if (initial.stateMask !== 0 || initial.suspended) store.setFilter(initial);
}
