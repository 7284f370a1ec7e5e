/**
 * The search row above a TextView: query, case toggle, previous/next, "3 / 120". Enter and F3 go
 * to the next match, Shift+Enter and Shift+F3 to the previous one (ecflow_ui's text-view keys);
 * Ctrl+F inside the view focuses the query. Large texts are searched on Enter only.
 */

import { el } from './host.js';
import type { TextView } from './text-view.js';

export function searchBar(view: TextView): HTMLElement {
  const bar = el('div', 'ecf-search');
  const input = el('input', 'ecf-search-input');
  input.type = 'search';
  input.placeholder = 'Search';
  input.setAttribute('aria-label', 'Search in text');
  const caseBox = el('label', 'ecf-search-case');
  const cs = el('input');
  cs.type = 'checkbox';
  caseBox.append(cs, ' Aa');
  caseBox.title = 'Case sensitive';
  const prev = el('button', 'ecf-btn ecf-search-prev', '▲');
  prev.title = 'Previous match (Shift+Enter, Shift+F3)';
  const next = el('button', 'ecf-btn ecf-search-next', '▼');
  next.title = 'Next match (Enter, F3)';
  const count = el('span', 'ecf-search-count');
  let searched = '';
  let timer: ReturnType<typeof setTimeout> | undefined;

  const run = (): void => {
    searched = input.value + (cs.checked ? '\u0001' : '');
    view.search(input.value, cs.checked);
    count.textContent = view.matchSummary();
  };
  const step = (back: boolean): void => {
    if (searched !== input.value + (cs.checked ? '\u0001' : '')) run();
    else if (back) view.prev();
    else view.next();
    count.textContent = view.matchSummary();
  };
  input.addEventListener('input', () => {
    if (timer !== undefined) clearTimeout(timer);
    if (view.isLarge) {
      count.textContent = input.value === '' ? '' : 'Enter to search';
      return;
    }
    timer = setTimeout(run, 150);
  });
  cs.addEventListener('change', () => (view.isLarge ? undefined : run()));
  input.addEventListener('keydown', (e) => {
    if (e.key === 'Enter' || e.key === 'F3') {
      e.preventDefault();
      step(e.shiftKey);
    } else if (e.key === 'Escape' && input.value !== '') {
      e.stopPropagation();
      input.value = '';
      run();
    }
  });
  prev.addEventListener('click', () => step(true));
  next.addEventListener('click', () => step(false));
  view.root.addEventListener('keydown', (e) => {
    if ((e.ctrlKey || e.metaKey) && e.key === 'f') {
      e.preventDefault();
      input.focus();
      input.select();
    } else if (e.key === 'F3') {
      e.preventDefault();
      step(e.shiftKey);
    }
  });
  bar.append(input, caseBox, prev, next, count);
  return bar;
}

/** Refresh the count after the text changed (follow mode). */
export function refreshSearchCount(bar: HTMLElement, view: TextView): void {
  const c = bar.querySelector('.ecf-search-count');
  if (c !== null && view.matchSummary() !== '') c.textContent = view.matchSummary();
}
