/**
 * The AppApi (app-api.ts) over the store, plus the deep link: the selection and the panel go into
 * the address (deep-link.ts), and an address that names a place selects it once its server has
 * synced.
 */

import type { UiServer } from '../../src/server/ui-protocol.js';
import type { AppApi, SelectedNode } from './app-api.js';
import { lastPlace, parsePlace, showPlace, type Place } from './deep-link.js';
import { Emitter } from './emitter.js';
import type { Store } from './store.js';

export interface App extends AppApi {
  /** Enter on a row / double-click on a task: open the current panel (or Info). */
  openPanel(panel?: string): void;
}

export function createApp(store: Store): App {
  const panelEvents = new Emitter<{ panel: string | undefined }>();
  const start = parsePlace(location.hash) ?? lastPlace();
  let panel: string | undefined = start?.panel;
  let place: Place | undefined = start;

  const updateAddress = (): void => {
    const first = store.getSelection()[0];
    if (first === undefined) return;
    place = { server: first.server, path: first.path, ...(panel !== undefined ? { panel } : {}) };
    showPlace(place);
  };
  store.events.on('selection', () => updateAddress());

  const goTo = (p: Place): void => {
    if (p.panel !== undefined && p.panel !== panel) {
      panel = p.panel;
      panelEvents.emit('panel', panel);
    }
    store.revealLater(p.server, p.path);
  };
  if (start !== undefined) goTo(start);
  window.addEventListener('hashchange', () => {
    const p = parsePlace(location.hash);
    if (p === undefined) return;
    if (place !== undefined && p.server === place.server && p.path === place.path && p.panel === place.panel) return;
    place = p;
    goTo(p);
  });

  const app: App = {
    onSelection: (cb: (sel: readonly SelectedNode[]) => void) => store.events.on('selection', cb),
    getSelection: () => store.getSelection(),
    select: (server, path) => store.reveal(server, path),
    request: (req) => store.request(req),
    serverOf: (name) => store.entry(name)?.server,
    servers: () => store.servers(),
    onServers: (cb: (servers: readonly UiServer[]) => void) => store.events.on('servers', cb),
    readOnlyUi: () => store.readOnly,
    nodeInfo: (server, path) => store.nodeInfo(server, path),
    attributes: (server, path) => store.attributes(server, path),
    onNodeChange: (cb) => store.events.on('change', cb),
    panel: () => panel,
    setPanel: (p) => {
      if (p === panel) return;
      panel = p;
      updateAddress();
    },
    onPanel: (cb) => panelEvents.on('panel', cb),
    status: (message, kind = 'info') => store.status(message, kind),
    openPanel: (p) => {
      panel = p ?? panel ?? 'info';
      updateAddress();
      panelEvents.emit('panel', panel);
    },
  };
  return app;
}
