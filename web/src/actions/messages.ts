/**
 * The message area: a stack of notes at the bottom of the window. Failures stay until dismissed
 * and show the server's text verbatim; successes fade after a few seconds.
 */

import './actions.css';
import { el } from '../panels/host.js';
import { errorBox } from '../panels/error-box.js';

const SUCCESS_MS = 4000;
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

/** Show a short success note. */
export function showInfo(text: string): HTMLElement {
  const item = el('div', 'ecf-message ecf-message-info', text);
  item.setAttribute('role', 'status');
  messageArea().append(item);
  setTimeout(() => item.remove(), SUCCESS_MS);
  return item;
}

/** Remove every message (tests, server switch). */
export function clearMessages(): void {
  area?.replaceChildren();
}
