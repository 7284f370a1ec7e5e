/** Small DOM helpers for the shell's own views. */

/** Create an element with a class, optional text and attributes. */
export function h<K extends keyof HTMLElementTagNameMap>(
  tag: K,
  cls?: string,
  text?: string,
  attrs?: Record<string, string>,
): HTMLElementTagNameMap[K] {
  const e = document.createElement(tag);
  if (cls !== undefined && cls !== '') e.className = cls;
  if (text !== undefined) e.textContent = text;
  if (attrs !== undefined) for (const [k, v] of Object.entries(attrs)) e.setAttribute(k, v);
  return e;
}

/** A <button type=button> with a click handler. */
export function button(text: string, onClick: (e: MouseEvent) => void, cls = 'btn', title?: string): HTMLButtonElement {
  const b = h('button', cls, text);
  b.type = 'button';
  if (title !== undefined) b.title = title;
  b.addEventListener('click', onClick);
  return b;
}
