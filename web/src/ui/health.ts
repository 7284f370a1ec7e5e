/**
 * How a server's health reads in the tree's server row and the header badges: connection state,
 * certificate expiry (warn from 12 h before) and the time since the last sync. Pure module.
 */

import type { ServerHealth } from '../../../src/server/ui-protocol.js';

export interface HealthView {
  /** Short badge text: 'connected', 'reconnecting', 'needs login', … */
  readonly text: string;
  /** CSS modifier: ok, warn, bad, idle. */
  readonly level: 'ok' | 'warn' | 'bad' | 'idle';
  /** Certificate badge ('cert 3h 10m', 'certificate expired'), '' when nothing to say. */
  readonly cert: string;
  readonly certLevel: 'ok' | 'warn' | 'bad';
  /** Long text for the tooltip. */
  readonly title: string;
}

const WARN_MS = 12 * 3600_000;

export function formatDuration(ms: number): string {
  const s = Math.max(0, Math.round(ms / 1000));
  if (s < 60) return `${s}s`;
  const m = Math.floor(s / 60);
  if (m < 60) return `${m}m`;
  const h = Math.floor(m / 60);
  if (h < 48) return `${h}h ${m % 60}m`;
  return `${Math.floor(h / 24)}d`;
}

/** '12s ago', or '' when never. */
export function since(iso: string | number | undefined, now = Date.now()): string {
  if (iso === undefined) return '';
  const t = typeof iso === 'number' ? iso : Date.parse(iso);
  return Number.isFinite(t) ? `${formatDuration(now - t)} ago` : '';
}

export function healthView(h: ServerHealth, socketOpen: boolean, now = Date.now()): HealthView {
  let text: string;
  let level: HealthView['level'];
  if (!socketOpen) {
    text = 'no link';
    level = 'idle';
  } else {
    switch (h.state) {
      case 'connected':
        text = 'connected';
        level = 'ok';
        break;
      case 'connecting':
        text = 'connecting';
        level = 'idle';
        break;
      case 'reconnecting':
        text = 'reconnecting';
        level = 'warn';
        break;
      case 'needs-login':
        text = 'needs login';
        level = 'bad';
        break;
      case 'error':
        text = 'error';
        level = 'bad';
        break;
      default:
        text = 'disabled';
        level = 'idle';
    }
  }
  let cert = '';
  let certLevel: HealthView['certLevel'] = 'ok';
  if (h.certificateExpired === true) {
    cert = 'certificate expired';
    certLevel = 'bad';
  } else if (h.certificateValidTo !== undefined && h.certificateValidTo !== null) {
    const left = Date.parse(h.certificateValidTo) - now;
    if (Number.isFinite(left)) {
      if (left <= 0) {
        cert = 'certificate expired';
        certLevel = 'bad';
      } else if (left < WARN_MS) {
        cert = `cert ${formatDuration(left)}`;
        certLevel = 'warn';
      }
    }
  }
  const lines = [`Server: ${text}`];
  if (h.message !== undefined && h.message !== '') lines.push(h.message);
  if (h.route !== undefined) lines.push(`Route ${h.route.name}: ${h.route.state}${h.route.message !== undefined ? ' — ' + h.route.message : ''}`);
  if (h.certificateValidTo !== undefined && h.certificateValidTo !== null) lines.push(`Certificate valid to ${h.certificateValidTo}`);
  if (h.lastSync !== undefined) lines.push(`Last sync ${h.lastSync} (${since(h.lastSync, now)})`);
  if (h.pollMs !== undefined) lines.push(`Polling every ${formatDuration(h.pollMs)}`);
  return { text, level, cert, certLevel, title: lines.join('\n') };
}
