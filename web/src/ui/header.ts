/**
 * The header: the UI link state (connected / reconnecting in n s, with "Retry now") and one badge
 * per server (state colour, health, certificate) that jumps to the server's row.
 */

import type { Store } from '../store.js';
import { SERVER_COLOURS } from '../tree/state-style.js';
import { button, h } from './dom.js';
import { healthView } from './health.js';

export function mountHeader(host: HTMLElement, store: Store, onRetry: () => void): void {
  const link = h('span', 'link-state', undefined, { role: 'status', 'aria-live': 'polite' });
  const retry = button('Retry now', () => onRetry(), 'btn small');
  retry.hidden = true;
  const badges = h('div', 'server-badges', undefined, { role: 'list', 'aria-label': 'Servers' });
  host.append(link, retry, badges);
  let timer: ReturnType<typeof setInterval> | undefined;

  const renderLink = (): void => {
    const s = store.socket;
    retry.hidden = s.state !== 'closed';
    link.className = `link-state ${s.state}`;
    if (s.state === 'open') link.textContent = store.welcomed ? 'Connected' : 'Connecting…';
    else if (s.state === 'connecting') link.textContent = s.attempt > 0 ? `Reconnecting (attempt ${s.attempt + 1})…` : 'Connecting…';
    else {
      const left = s.retryAt !== undefined ? Math.max(0, Math.ceil((s.retryAt - Date.now()) / 1000)) : 0;
      link.textContent = `Disconnected — retrying in ${left}s`;
      // Never welcomed after a few tries: the local server is gone, or this page has no valid token.
      link.title =
        !store.welcomed && s.attempt >= 3
          ? 'The local ecflow-remote server does not answer or refuses this page: is `ecflow-remote ui` running? Open the address it printed.'
          : (s.reason ?? '');
      if (!store.welcomed && s.attempt >= 3) link.textContent += ' (is ecflow-remote ui running?)';
    }
    clearInterval(timer);
    if (s.state === 'closed') timer = setInterval(renderLink, 1000);
  };

  const renderBadges = (): void => {
    badges.replaceChildren();
    const open = store.socket.state === 'open';
    for (const e of store.entries) {
      const hv = healthView(e.server.health, open);
      const b = button('', () => store.reveal(e.name, '/', true), `server-badge ${hv.level}`, hv.title);
      b.setAttribute('role', 'listitem');
      const dot = h('span', 'dot', undefined, { 'aria-hidden': 'true' });
      const connected = open && e.server.health.state === 'connected' && e.info !== undefined;
      dot.style.background = connected ? SERVER_COLOURS[e.info!.state] : SERVER_COLOURS.disconnected;
      b.append(dot, h('span', 'name', e.name), h('span', 'state', hv.text));
      if (hv.cert !== '') b.append(h('span', `cert ${hv.certLevel}`, hv.cert));
      badges.append(b);
    }
  };
  store.events.on('socket', () => {
    renderLink();
    renderBadges();
  });
  store.events.on('servers', () => {
    renderLink();
    renderBadges();
  });
  store.events.on('snapshot', renderBadges);
  store.events.on('change', (c) => {
    if (!c.snapshot) renderBadges();
  });
  renderLink();
  renderBadges();
}
