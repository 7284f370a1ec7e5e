/**
 * Info tab (ecflow_ui "Info"/overview): for a node its kind, state, default state, flags in
 * words, times, try number and abort reason; for the server its statistics text (`--stats`) plus
 * our own side: connection health, route and certificate.
 */

import type { ServerHealth, UiInfoData, UiServer } from '../../../src/server/ui-protocol.js';
import { el } from './host.js';
import { errorBox } from './error-box.js';
import { formatTime, kvTable, Loader } from './tab-util.js';
import { ALL_KINDS, type TabContext, type TabDef, type TabInstance } from './tab-types.js';

type Row = readonly [string, string | Node];

const words = (flags: readonly string[]): string => (flags.length === 0 ? 'none' : flags.map((f) => f.replace(/_/g, ' ')).join(', '));

/**
 * The rows of an `info` answer, in ecflow_ui's order; absent fields are left out.
 *
 * @example infoRows({ kind: 'task', state: 'aborted', suspended: true, flags: ['task_aborted'], … })
 * // [['Name', 't'], …, ['Status', 'aborted (suspended)'], …, ['Flags', 'task aborted'], …]
 */
export function infoRows(d: UiInfoData): Row[] {
  const rows: Array<readonly [string, string | undefined]> = [
    ['Name', d.name],
    ['Path', d.kind === 'server' ? undefined : d.path],
    ['Type', d.kind],
    ['Status', d.suspended ? `${d.state} (suspended)` : d.state],
    ['Default status', d.defStatus],
    ['Flags', words(d.flags)],
    ['Try', d.tryNo?.toString()],
    ['Aborted reason', d.abortReason],
    ['Status changed', d.stateChangedAt === undefined ? undefined : formatTime(d.stateChangedAt)],
    ['Status changed (suite time)', d.durText],
    ['Runtime', d.rt === undefined || d.rt === 0 ? undefined : `${d.rt} s`],
    ['Remote id', d.rid === '' ? undefined : d.rid],
    ['Job output', d.jobOutput],
    ['Children', String(d.children)],
    ['Begun', d.begun === undefined ? undefined : d.begun ? 'yes' : 'no'],
    ['Clock', d.clock],
    ['Calendar', d.calendar],
    ['Version', d.version],
    ['Address', d.address],
    ['Route', d.route],
  ];
  return rows.filter((r): r is readonly [string, string] => r[1] !== undefined && r[1] !== '');
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
      const d = r.data;
      if (ctx.kind === 'server') parts.push(el('h3', 'ecf-info-h', 'Server'));
      parts.push(kvTable(infoRows(d), 'ecf-info-node'));
      if (d.statsText !== undefined) parts.push(el('h3', 'ecf-info-h', 'Server statistics'), el('pre', 'ecf-info-text', d.statsText));
      if (d.statsError !== undefined) parts.push(errorBox(d.statsError, 'Server statistics are not available'));
    } else if (ctx.kind !== 'server') {
      return;
    }
    out.replaceChildren(...parts);
  };
  void load();
  return { refresh: () => void load(), dispose: () => loader.dispose() };
}

export const infoTab: TabDef = { name: 'info', label: 'Info', key: 'i', kinds: ALL_KINDS, create };
