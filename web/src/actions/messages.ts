/**
 * The message area: failed actions stack at the bottom of the window, with the server's text
 * verbatim, until dismissed (successes go to the shell's status bar, `app.status`).
 */

import './actions.css';
import { el } from '../panels/host.js';
import { errorBox } from '../panels/error-box.js';

let area: HTMLElement | undefined;

function messageArea(): HTMLElement {
  if (area === undefined || !area.isConnected) {
    area = el('div', 'ecf-messages');
    area.setAttribute('aria-live', 'polite');
    document.body.append(area);
  }
  return area;
}

/** Show a failure; it stays until the user dismisses it. */
export function showError(e: unknown, what: string): HTMLElement {
  const item = el('div', 'ecf-message ecf-message-error');
  item.append(errorBox(e, what, () => item.remove()));
  messageArea().append(item);
  return item;
}
