/**
 * Deep links: the address names server, node path and panel,
 *
 *   #/s/<server>/n/<suite>/<family>/<task>?panel=output
 *
 * (each part URI-encoded). The hash follows the selection and the panel (replaceState: arrow keys
 * do not fill the history); the last place is also kept in localStorage, so a fresh login (the
 * printed URL without a hash) reopens where the user was. A hash typed or pasted later navigates.
 */

export interface Place {
  readonly server: string;
  /** Absolute node path, '/' for the server. */
  readonly path: string;
  readonly panel?: string;
}

const LAST_PLACE_KEY = 'ecflow-remote.lastPlace';

/**
 * @example formatPlace({ server: 'prod', path: '/s/f/t', panel: 'output' }) // '#/s/prod/n/s/f/t?panel=output'
 */
export function formatPlace(p: Place): string {
  let h = `#/s/${encodeURIComponent(p.server)}`;
  const segs = p.path.split('/').filter((s) => s !== '');
  if (segs.length > 0) h += '/n/' + segs.map(encodeURIComponent).join('/');
  if (p.panel !== undefined && p.panel !== '') h += `?panel=${encodeURIComponent(p.panel)}`;
  return h;
}

/** The place of a hash, or undefined when it is not a deep link. */
export function parsePlace(hash: string): Place | undefined {
  const h = hash.startsWith('#') ? hash.slice(1) : hash;
  const q = h.indexOf('?');
  const route = q < 0 ? h : h.slice(0, q);
  const query = new URLSearchParams(q < 0 ? '' : h.slice(q + 1));
  if (!route.startsWith('/s/')) return undefined;
  const rest = route.slice(3);
  const at = rest.indexOf('/n/');
  let server: string;
  let path = '/';
  try {
    server = decodeURIComponent(at < 0 ? rest.replace(/\/$/, '') : rest.slice(0, at));
    if (at >= 0) {
      const segs = rest
        .slice(at + 3)
        .split('/')
        .filter((s) => s !== '')
        .map(decodeURIComponent);
      if (segs.length > 0) path = '/' + segs.join('/');
    }
  } catch {
    return undefined;
  }
  if (server === '') return undefined;
  const panel = query.get('panel');
  return panel !== null && panel !== '' ? { server, path, panel } : { server, path };
}

export function saveLastPlace(p: Place): void {
  try {
    localStorage.setItem(LAST_PLACE_KEY, JSON.stringify(p));
  } catch {
    /* storage disabled */
  }
}

export function lastPlace(): Place | undefined {
  try {
    const v = JSON.parse(localStorage.getItem(LAST_PLACE_KEY) ?? 'null') as Partial<Place> | null;
    if (v === null || typeof v.server !== 'string' || typeof v.path !== 'string') return undefined;
    return typeof v.panel === 'string' ? { server: v.server, path: v.path, panel: v.panel } : { server: v.server, path: v.path };
  } catch {
    return undefined;
  }
}

/** Put the place into the address bar without a new history entry. */
export function showPlace(p: Place): void {
  const hash = formatPlace(p);
  if (location.hash !== hash) history.replaceState(history.state, '', location.pathname + location.search + hash);
  saveLastPlace(p);
}
