/**
 * How a failed request looks: what we tried, our message, and the ecFlow server's own text
 * verbatim (pre-formatted) when it refused. Used inside tabs and in the message area.
 */

import './panels.css';
import { asRequestError, el } from './host.js';

export function errorBox(e: unknown, what: string, onDismiss?: () => void): HTMLElement {
  const err = asRequestError(e);
  const box = el('div', 'ecf-error');
  box.setAttribute('role', 'alert');
  const head = el('div', 'ecf-error-head');
  head.append(el('strong', '', what), el('span', 'ecf-error-code', err.code ?? 'ERROR'));
  if (onDismiss !== undefined) {
    const x = el('button', 'ecf-error-dismiss', '×');
    x.type = 'button';
    x.title = 'Dismiss';
    x.setAttribute('aria-label', 'Dismiss');
    x.addEventListener('click', onDismiss);
    head.append(x);
  }
  box.append(head);
  if (err.serverMessage !== undefined) {
    box.append(el('div', 'ecf-error-label', 'The server said:'), el('pre', 'ecf-server-message', err.serverMessage));
    if (err.message !== err.serverMessage && !err.serverMessage.includes(err.message)) box.append(el('div', 'ecf-error-message', err.message));
  } else {
    box.append(el('pre', 'ecf-error-message', err.message));
  }
  return box;
}
