/**
 * A plain virtualized list (search results, problems): fixed row height, a pool of recycled row
 * elements, rendered once per animation frame. Tens of thousands of rows; no scroll scaling.
 */

import { h } from './dom.js';

export interface VirtualListOptions {
  readonly rowPx: number;
  readonly label: string;
  count(): number;
  /** Fill row element `el` for item `index` (the element is reused for other items). */
  render(el: HTMLElement, index: number): void;
  onActivate(index: number, event: MouseEvent | KeyboardEvent): void;
}

export class VirtualList {
  readonly el: HTMLDivElement;
  private readonly inner: HTMLDivElement;
  private readonly pool: HTMLDivElement[] = [];
  private frame = 0;
  private active = -1;

  constructor(private readonly o: VirtualListOptions) {
    this.el = h('div', 'vlist', undefined, { role: 'list', 'aria-label': o.label, tabindex: '0' });
    this.inner = h('div', 'vlist-inner', undefined, { role: 'presentation' });
    this.el.append(this.inner);
    this.el.addEventListener('scroll', () => this.refresh(), { passive: true });
    this.el.addEventListener('click', (e) => {
      const row = (e.target as Element).closest<HTMLElement>('.vrow');
      if (row === null) return;
      const i = Number(row.dataset['index']);
      this.active = i;
      this.o.onActivate(i, e);
      this.refresh();
    });
    this.el.addEventListener('keydown', (e) => {
      const n = this.o.count();
      if (n === 0) return;
      let next = this.active;
      if (e.key === 'ArrowDown') next = Math.min(n - 1, this.active + 1);
      else if (e.key === 'ArrowUp') next = Math.max(0, this.active - 1);
      else if (e.key === 'Enter' && this.active >= 0) {
        this.o.onActivate(this.active, e);
        e.preventDefault();
        return;
      } else return;
      e.preventDefault();
      this.active = next;
      const top = next * this.o.rowPx;
      if (top < this.el.scrollTop) this.el.scrollTop = top;
      else if (top + this.o.rowPx > this.el.scrollTop + this.el.clientHeight) this.el.scrollTop = top + this.o.rowPx - this.el.clientHeight;
      this.o.onActivate(next, e);
      this.refresh();
    });
    new ResizeObserver(() => this.refresh()).observe(this.el);
  }

  /** Re-render on the next frame (after the data changed or on scroll). */
  refresh(): void {
    if (this.frame !== 0) return;
    this.frame = requestAnimationFrame(() => {
      this.frame = 0;
      this.render();
    });
  }

  reset(): void {
    this.active = -1;
    this.el.scrollTop = 0;
    this.refresh();
  }

  private render(): void {
    const n = this.o.count();
    const px = this.o.rowPx;
    this.inner.style.height = `${n * px}px`;
    const first = Math.max(0, Math.floor(this.el.scrollTop / px));
    const want = Math.min(n - first, Math.ceil(this.el.clientHeight / px) + 1);
    while (this.pool.length < want) {
      const row = h('div', 'vrow', undefined, { role: 'listitem' });
      this.pool.push(row);
      this.inner.append(row);
    }
    for (let k = 0; k < this.pool.length; k++) {
      const row = this.pool[k]!;
      if (k >= want) {
        row.hidden = true;
        continue;
      }
      const i = first + k;
      row.hidden = false;
      row.style.transform = `translateY(${i * px}px)`;
      row.dataset['index'] = String(i);
      row.classList.toggle('active', i === this.active);
      this.o.render(row, i);
    }
  }
}
