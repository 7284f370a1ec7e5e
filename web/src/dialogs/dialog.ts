/**
 * Modal dialogs on the native <dialog> element: `openDialog` builds one with a title, content and
 * buttons and resolves with the button chosen (Escape or closing = undefined). `confirmDialog`
 * is the yes/no question used before destructive actions; Cancel has the focus so that Enter
 * does not run the action by accident.
 */

import './dialogs.css';
import { el } from '../panels/host.js';

export interface DialogButton<T> {
  readonly label: string;
  readonly value: T;
  readonly kind?: 'primary' | 'danger' | 'plain';
  /** Focus this button when the dialog opens. */
  readonly focus?: boolean;
}

export interface DialogOptions<T> {
  readonly title: string;
  readonly content: Node | readonly Node[];
  readonly buttons: readonly DialogButton<T>[];
  readonly cls?: string;
  /** Called before closing with a button; return false to keep the dialog open (validation). */
  readonly beforeClose?: (value: T) => boolean | Promise<boolean>;
}

/** An open dialog: its element and the promise of the chosen value. */
export interface OpenDialog<T> {
  readonly element: HTMLDialogElement;
  readonly result: Promise<T | undefined>;
  close(value?: T): void;
}

export function openDialog<T>(opts: DialogOptions<T>): OpenDialog<T> {
  const dlg = el('dialog', `ecf-dialog ${opts.cls ?? ''}`.trim());
  dlg.setAttribute('aria-label', opts.title);
  const head = el('div', 'ecf-dialog-title', opts.title);
  const body = el('div', 'ecf-dialog-body');
  body.append(...(Array.isArray(opts.content) ? opts.content : [opts.content as Node]));
  const foot = el('div', 'ecf-dialog-buttons');
  dlg.append(head, body, foot);
  let settle: (v: T | undefined) => void = () => undefined;
  const result = new Promise<T | undefined>((resolve) => (settle = resolve));
  let done = false;
  const close = (value?: T): void => {
    if (done) return;
    done = true;
    settle(value);
    dlg.close();
    dlg.remove();
  };
  let focusBtn: HTMLButtonElement | undefined;
  for (const b of opts.buttons) {
    const btn = el('button', `ecf-btn ecf-btn-${b.kind ?? 'plain'}`, b.label);
    btn.type = 'button';
    btn.addEventListener('click', async () => {
      if (opts.beforeClose !== undefined && !(await opts.beforeClose(b.value))) return;
      close(b.value);
    });
    if (b.focus === true) focusBtn = btn;
    foot.append(btn);
  }
  dlg.addEventListener('cancel', (e) => {
    e.preventDefault();
    close(undefined);
  });
  // Keys typed in a dialog are not tree or action shortcuts.
  dlg.addEventListener('keydown', (e) => e.stopPropagation());
  document.body.append(dlg);
  dlg.showModal();
  focusBtn?.focus();
  return { element: dlg, result, close };
}

export interface ConfirmOptions {
  readonly title: string;
  readonly question: string;
  readonly warning?: string;
  /** Node paths (or other items) the action applies to; long lists are shortened. */
  readonly items?: readonly string[];
  /** The equivalent ecflow_client command, shown small. */
  readonly command?: string;
  readonly confirmLabel: string;
}

/** Ask before a destructive action. Resolves true only when the user confirmed. */
export async function confirmDialog(o: ConfirmOptions): Promise<boolean> {
  const parts: Node[] = [el('p', 'ecf-confirm-question', o.question)];
  if (o.warning !== undefined) parts.push(el('p', 'ecf-confirm-warning', o.warning));
  if (o.items !== undefined && o.items.length > 0) {
    const ul = el('ul', 'ecf-confirm-items');
    for (const p of o.items.slice(0, 10)) ul.append(el('li', '', p));
    if (o.items.length > 10) ul.append(el('li', 'ecf-confirm-more', `… and ${o.items.length - 10} more`));
    parts.push(ul);
  }
  if (o.command !== undefined) parts.push(el('code', 'ecf-confirm-command', o.command));
  const d = openDialog<boolean>({
    title: o.title,
    content: parts,
    cls: 'ecf-confirm',
    buttons: [
      { label: 'Cancel', value: false, focus: true },
      { label: o.confirmLabel, value: true, kind: 'danger' },
    ],
  });
  return (await d.result) === true;
}
