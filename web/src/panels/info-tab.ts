/**
 * Info tab (ecflow_ui "Info"/overview): for a node its kind, state, default state, flags in
 * words, times, try number and abort reason; for the server its statistics text plus our own
 * connection health, route and certificate. Fields the reply carries that we do not know are
 * listed too, with their names made readable.
 */

import { DSTATE_NAMES, flagNames, NSTATE_NAMES } from '../../../src/model/types.js';
import type { ServerHealth, UiServer } from '../../../src/server/ui-protocol.js';
import { el } from './host.js';
import { errorBox } from './error-box.js';
import { isObj, num, str, type Json } from './panel-data.js';
import { formatTime, kvTable, Loader } from './tab-util.js';
import { ALL_KINDS, type TabContext, type TabDef, type TabInstance } from './tab-types.js';

type Row = readonly [string, string | Node];

/** Known fields in display order: key → label (and how to show the value). */
const KNOWN: ReadonlyArray<readonly [string, string, ((v: unknown, o: Json) => string | undefined)?]> = [
  ['name', 'Name'],
  ['path', 'Path'],
  ['kind', 'Type'],
  ['state', 'Status', (v, o) => stateText(v, o['suspended'] === true)],
  ['defStatus', 'Default status', (v) => (typeof v === 'number' ? DSTATE_NAMES[v] : str(v))],
  ['flags', 'Flags', (v) => flagText(v)],
  ['tryNo', 'Try'],
  ['abortReason', 'Aborted reason'],
  ['stateChangedAt', 'Status changed', (v) => formatTime(v)],
  ['durText', 'Status changed (suite time)'],
  ['rt', 'Runtime', (v) => (typeof v === 'number' ? `${v} s` : str(v))],
  ['rid', 'Remote id'],
  ['jobOutput', 'Job output'],
  ['children', 'Children'],
  ['begun', 'Begun'],
  ['clock', 'Clock'],
  ['calendar', 'Calendar'],
  ['version', 'Version'],
  ['address', 'Address'],
  ['route', 'Route'],
];
/** Shown elsewhere (status text, statistics, the Connection table, the Variables tab) or not useful. */
const HIDDEN = new Set(['server', 'suspended', 'dur', 'statsText', 'statistics', 'statsError', 'text', 'health', 'variables']);

function stateText(v: unknown, suspended: boolean): string | undefined {
  const s = typeof v === 'number' ? NSTATE_NAMES[v] : str(v);
  if (s === undefined) return undefined;
  return suspended ? `${s} (suspended)` : s;
}

function flagText(v: unknown): string {
  const names = typeof v === 'number' ? flagNames(v) : Array.isArray(v) ? v.map(String) : str(v)?.split(',').filter((x) => x !== '') ?? [];
  return names.length === 0 ? 'none' : names.map((n) => n.replace(/_/g, ' ')).join(', ');
}

function humanize(key: string): string {
  const s = key.replace(/([a-z0-9])([A-Z])/g, '$1 $2').replace(/[_-]/g, ' ').toLowerCase();
  return s.charAt(0).toUpperCase() + s.slice(1);
}

function scalar(v: unknown): string | undefined {
  if (typeof v === 'string') return v;
  if (typeof v === 'number') return String(v);
  if (typeof v === 'boolean') return v ? 'yes' : 'no';
  if (Array.isArray(v) && v.every((x) => typeof x !== 'object')) return v.join(', ');
  return undefined;
}

/** Rows for a node (or server) info reply; long texts come back separately. */
export function infoRows(o: Json): { rows: Row[]; texts: Array<[string, string]> } {
  const rows: Row[] = [];
  const texts: Array<[string, string]> = [];
  const seen = new Set<string>();
  for (const [key, label, fmt] of KNOWN) {
    if (o[key] === undefined || o[key] === null) continue;
    seen.add(key);
    const v = fmt !== undefined ? fmt(o[key], o) : scalar(o[key]);
    if (v !== undefined && v !== '') rows.push([label, v]);
  }
  if (o['suspended'] === true && o['state'] === undefined) rows.push(['Status', 'suspended']);
  for (const [key, v] of Object.entries(o)) {
    if (seen.has(key) || HIDDEN.has(key)) continue;
    const s = scalar(v);
    if (s !== undefined) {
      if (s.includes('\n')) texts.push([humanize(key), s]);
      else if (s !== '') rows.push([humanize(key), /time$|since$|^last/i.test(key) ? formatTime(v) : s]);
    } else if (isObj(v)) {
      for (const [k2, v2] of Object.entries(v)) {
        const s2 = scalar(v2);
        if (s2 !== undefined && s2 !== '') rows.push([`${humanize(key)} ${humanize(k2).toLowerCase()}`, s2]);
      }
    }
  }
  const stats = str(o['statsText'] ?? o['statistics']) ?? (typeof o['text'] === 'string' ? o['text'] : undefined);
  if (stats !== undefined) texts.unshift(['Server statistics', stats]);
  return { rows, texts };
}

/** Our side of a server: connection, route, certificate. */
export function healthRows(s: UiServer): Row[] {
  const h: ServerHealth = s.health;
  const rows: Row[] = [];
  const conn = el('span', `ecf-health ecf-health-${h.state}`, h.state);
  rows.push(['Connection', conn]);
  if (h.message !== undefined && h.message !== '') rows.push(['Connection message', h.message]);
  rows.push(['Address', `${s.host}:${s.port}${s.ssl ? ' (SSL)' : ''}`]);
  if (h.route !== undefined) {
    rows.push(['Route', `${h.route.name}: ${h.route.state}${h.route.message !== undefined ? ` — ${h.route.message}` : ''}`]);
  } else {
    rows.push(['Route', s.route ?? 'direct']);
  }
  if (h.certificateValidTo !== undefined && h.certificateValidTo !== null) {
    const expired = h.certificateExpired === true;
    const c = el('span', expired ? 'ecf-cert-expired' : 'ecf-cert-ok', `${expired ? 'expired ' : 'valid until '}${formatTime(h.certificateValidTo)}`);
    rows.push(['Certificate', c]);
  } else if (h.certificateValidTo === null) {
    rows.push(['Certificate', 'none']);
  }
  if (h.lastSync !== undefined) rows.push(['Last sync', formatTime(h.lastSync)]);
  if (h.pollMs !== undefined) rows.push(['Refresh period', h.pollMs < 10_000 ? `${(h.pollMs / 1000).toFixed(1)} s` : `${Math.round(h.pollMs / 1000)} s`]);
  const user = s.customUser ?? s.remoteUser;
  if (user !== undefined) rows.push(['User', `${user}${s.customUser !== undefined ? ' (custom user)' : ''}`]);
  rows.push(['Password', s.hasPassword ? 'set' : 'not set']);
  rows.push(['Read-only', s.readOnly ? 'yes (write actions hidden)' : 'no']);
  return rows;
}

function create(ctx: TabContext): TabInstance {
  const loader = new Loader(ctx);
  const out = el('div', 'ecf-info');
  ctx.root.append(out);
  const load = async (): Promise<void> => {
    const r = await loader.run({ what: 'info', server: ctx.target.server, path: ctx.path }, 'Info');
    const parts: Node[] = [];
    if (ctx.kind === 'server') {
      const s = ctx.app.serverOf(ctx.target.server);
      if (s !== undefined) parts.push(el('h3', 'ecf-info-h', 'Connection'), kvTable(healthRows(s), 'ecf-info-health'));
    }
    if (r !== undefined) {
      const data = isObj(r.data) ? r.data : { text: typeof r.data === 'string' ? r.data : JSON.stringify(r.data, null, 2) };
      const { rows, texts } = infoRows(data);
      if (rows.length > 0) {
        if (ctx.kind === 'server') parts.push(el('h3', 'ecf-info-h', 'Server'));
        parts.push(kvTable(rows, 'ecf-info-node'));
      }
      for (const [label, text] of texts) parts.push(el('h3', 'ecf-info-h', label), el('pre', 'ecf-info-text', text));
      if (data['statsError'] !== undefined) parts.push(errorBox(data['statsError'], 'Server statistics are not available'));
      const tries = num(data['tryNo']);
      if (tries !== undefined) out.dataset['tryNo'] = String(tries);
    } else if (ctx.kind !== 'server') {
      return;
    }
    out.replaceChildren(...parts);
  };
  void load();
  return { refresh: () => void load(), dispose: () => loader.dispose() };
}

export const infoTab: TabDef = { name: 'info', label: 'Info', key: 'i', kinds: ALL_KINDS, create };
