/**
 * Small forms asked before an action: a label (name + value) for "Add label", and a variable
 * (name + value) for the Variables tab. Names follow ecFlow's rule: letters, digits, '_' and '.'
 * (not first).
 */

import { el } from '../panels/host.js';
import { openDialog } from './dialog.js';

export const ECF_NAME_RE = /^[A-Za-z0-9_][A-Za-z0-9_.]*$/;

export interface NameValue {
  readonly name: string;
  readonly value: string;
}

export interface NameValueFormOptions {
  readonly title: string;
  readonly okLabel: string;
  readonly name?: string;
  /** The name cannot be changed (editing an existing variable). */
  readonly fixedName?: boolean;
  readonly value?: string;
  /** A note shown above the fields (e.g. "creates a local copy"). */
  readonly note?: string;
  readonly items?: readonly string[];
}

export async function nameValueForm(o: NameValueFormOptions): Promise<NameValue | undefined> {
  const form = el('form', 'ecf-form');
  const parts: Node[] = [];
  if (o.note !== undefined) parts.push(el('p', 'ecf-form-note', o.note));
  if (o.items !== undefined && o.items.length > 0) parts.push(el('p', 'ecf-form-items', o.items.join(', ')));
  const nameIn = el('input', 'ecf-form-name');
  nameIn.name = 'name';
  nameIn.value = o.name ?? '';
  nameIn.readOnly = o.fixedName === true;
  nameIn.autocomplete = 'off';
  const valueIn = el('textarea', 'ecf-form-value');
  valueIn.name = 'value';
  valueIn.rows = 2;
  valueIn.value = o.value ?? '';
  const err = el('div', 'ecf-form-error');
  const row = (label: string, input: HTMLElement): HTMLElement => {
    const l = el('label', 'ecf-form-row');
    l.append(el('span', 'ecf-form-label', label), input);
    return l;
  };
  form.append(...parts, row('Name', nameIn), row('Value', valueIn), err);
  form.addEventListener('submit', (e) => e.preventDefault());
  const d = openDialog<boolean>({
    title: o.title,
    content: form,
    cls: 'ecf-namevalue',
    buttons: [
      { label: 'Cancel', value: false },
      { label: o.okLabel, value: true, kind: 'primary' },
    ],
    beforeClose: (ok) => {
      if (!ok) return true;
      const name = nameIn.value.trim();
      if (!ECF_NAME_RE.test(name)) {
        err.textContent = name === '' ? 'A name is required.' : 'The name may contain letters, digits, _ and . only.';
        nameIn.focus();
        return false;
      }
      return true;
    },
  });
  (o.fixedName === true ? valueIn : nameIn).focus();
  valueIn.addEventListener('keydown', (e) => {
    if (e.key === 'Enter' && (e.ctrlKey || e.metaKey)) d.element.querySelector<HTMLButtonElement>('.ecf-btn-primary')?.click();
  });
  nameIn.addEventListener('keydown', (e) => {
    if (e.key === 'Enter') d.element.querySelector<HTMLButtonElement>('.ecf-btn-primary')?.click();
  });
  return (await d.result) === true ? { name: nameIn.value.trim(), value: valueIn.value } : undefined;
}

/** The "Add label" form. */
export function labelForm(items: readonly string[]): Promise<NameValue | undefined> {
  return nameValueForm({ title: 'Add label', okLabel: 'Add label', items });
}
