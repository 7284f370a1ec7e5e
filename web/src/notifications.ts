/**
 * Opt-in desktop notifications (Notification API, reference §1.7) for NEWLY aborted, late or
 * zombie nodes, from the deltas (never for what a snapshot already shows). A toggle in the header;
 * the choice is kept in localStorage; permission is asked when it is switched on. More than three
 * at once become one summary notification. Clicking a notification selects the node.
 */

import type { NewProblem, Problems } from './problems/problems.js';
import type { Store } from './store.js';
import { h } from './ui/dom.js';

const KEY = 'ecflow-remote.notify';

function supported(): boolean {
  return typeof Notification !== 'undefined';
}

export function mountNotifications(host: HTMLElement, store: Store, problems: Problems): void {
  const label = h('label', 'check notify-toggle', undefined, { title: 'Desktop notifications for newly aborted, late or zombie nodes' });
  const box = h('input', '', undefined, { type: 'checkbox' });
  label.append(box, document.createTextNode('Notify'));
  host.append(label);
  let on = false;
  try {
    on = localStorage.getItem(KEY) === '1';
  } catch {
    /* ignore */
  }
  if (!supported()) {
    box.disabled = true;
    label.title = 'This browser has no notifications';
    on = false;
  }
  box.checked = on && (!supported() || Notification.permission !== 'denied');

  box.addEventListener('change', () => {
    on = box.checked;
    try {
      localStorage.setItem(KEY, on ? '1' : '0');
    } catch {
      /* ignore */
    }
    if (on && supported() && Notification.permission === 'default') {
      void Notification.requestPermission().then((p) => {
        if (p !== 'granted') {
          box.checked = false;
          on = false;
          store.status('Notifications are blocked by the browser', 'error');
        }
      });
    }
  });

  problems.events.on('appeared', (list) => {
    // In the page the Problems tab count says it; the status bar stays for the user's own actions.
    const text = summary(list);
    if (!on || !supported() || Notification.permission !== 'granted') return;
    if (list.length <= 3) {
      for (const p of list) show(`${p.reason}: ${p.path.slice(p.path.lastIndexOf('/') + 1)}`, `${p.server} ${p.path}`, `${p.server}:${p.path}:${p.reason}`, p);
    } else {
      show(text, list.slice(0, 5).map((p) => `${p.server} ${p.path} (${p.reason})`).join('\n'), 'ecflow-remote-summary', list[0]);
    }
  });

  function show(title: string, body: string, tag: string, p: NewProblem | undefined): void {
    try {
      const n = new Notification(`ecFlow — ${title}`, { body, tag });
      n.onclick = () => {
        window.focus();
        if (p !== undefined) store.reveal(p.server, p.path, true);
        n.close();
      };
    } catch {
      /* some browsers only allow notifications from a service worker */
    }
  }
}

/** '2 aborted, 1 late' */
export function summary(list: readonly NewProblem[]): string {
  const counts = new Map<string, number>();
  for (const p of list) counts.set(p.reason, (counts.get(p.reason) ?? 0) + 1);
  const parts = [...counts].map(([r, n]) => `${n} ${r}`);
  return `Newly ${parts.join(', ')}` + (list.length === 1 ? `: ${list[0]!.server} ${list[0]!.path}` : '');
}
