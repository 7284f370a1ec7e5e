/**
 * ecflow_ui's default look (reference §1.3): state fill colours (ecflowview_nstate_conf.json,
 * …sstate_conf.json), suspended, server states, and the flag icons (ecflowview_icon_conf.json) as
 * small inline SVGs with a title (no icon font: they must render on any machine).
 */

import { Flag } from '../../../src/model/types.js';

/** Node state fill colours, indexed by nstate. */
export const STATE_COLOURS = [
  'rgb(220,220,220)', // unknown
  'rgb(255,238,1)', // complete
  'rgb(173,216,230)', // queued
  'rgb(255,59,53)', // aborted
  'rgb(64,224,208)', // submitted
  'rgb(74,255,61)', // active
] as const;
export const SUSPENDED_COLOUR = 'rgb(239,191,0)';
export const SERVER_COLOURS = {
  HALTED: 'rgb(238,130,238)',
  SHUTDOWN: 'rgb(255,192,203)',
  RUNNING: 'rgb(0,255,0)',
  disconnected: 'rgb(200,200,200)',
} as const;

export const STATE_NAMES = ['unknown', 'complete', 'queued', 'aborted', 'submitted', 'active'] as const;

/** 'aborted', or 'suspended (aborted)' for a suspended node. */
export function stateText(state: number): string {
  const name = STATE_NAMES[state & 7] ?? 'unknown';
  return (state & 8) !== 0 ? `suspended (${name})` : name;
}

/** CSS fill of a state (suspended wins, as in ecflow_ui). */
export function stateColour(state: number): string {
  return (state & 8) !== 0 ? SUSPENDED_COLOUR : (STATE_COLOURS[state & 7] ?? STATE_COLOURS[0]);
}

interface FlagIcon {
  readonly bit: number;
  readonly title: string;
  readonly svg: string;
}

const svg = (body: string, colour: string): string =>
  `<svg viewBox="0 0 12 12" width="12" height="12" aria-hidden="true" fill="none" stroke="${colour}" stroke-width="1.4" stroke-linecap="round" stroke-linejoin="round">${body}</svg>`;
const letter = (ch: string, bg: string): string =>
  `<svg viewBox="0 0 12 12" width="12" height="12" aria-hidden="true"><rect x="0.5" y="0.5" width="11" height="11" rx="2" fill="${bg}"/><text x="6" y="9.3" font-size="9" font-family="sans-serif" font-weight="700" text-anchor="middle" fill="#fff">${ch}</text></svg>`;

/** Flags shown as icons, in display order. */
export const FLAG_ICONS: readonly FlagIcon[] = [
  { bit: Flag.LATE, title: 'late', svg: svg('<circle cx="6" cy="6.5" r="4.6"/><path d="M6 3.8V6.6l2 1.2"/>', '#c00') },
  { bit: Flag.ZOMBIE, title: 'zombie', svg: letter('Z', '#7a3db8') },
  { bit: Flag.MESSAGE, title: 'message', svg: svg('<rect x="1" y="2.5" width="10" height="7" rx="1"/><path d="M1.3 3l4.7 3.6L10.7 3"/>', '#555') },
  { bit: Flag.KILLED, title: 'killed', svg: svg('<path d="M2.5 2.5l7 7M9.5 2.5l-7 7"/>', '#c00') },
  { bit: Flag.WAIT, title: 'waiting', svg: svg('<path d="M3 1.5h6M3 10.5h6M3.5 1.5c0 3 5 3 5 4.5s-5 1.5-5 4.5M8.5 1.5c0 3-5 3-5 4.5s5 1.5 5 4.5"/>', '#8a5a00') },
  { bit: Flag.FORCE_ABORT, title: 'force aborted', svg: letter('F', '#c62828') },
  { bit: Flag.BYRULE, title: 'complete by rule', svg: svg('<path d="M2 6.5l2.5 2.5L10 3"/>', '#2e7d32') },
  { bit: Flag.NO_SCRIPT, title: 'no script', svg: letter('S', '#9e9e9e') },
  { bit: Flag.ARCHIVED, title: 'archived', svg: letter('A', '#5d4037') },
  { bit: Flag.RESTORED, title: 'restored', svg: letter('R', '#00796b') },
  { bit: Flag.THRESHOLD, title: 'slow job creation', svg: letter('T', '#ef6c00') },
  { bit: Flag.QUEUELIMIT, title: 'queue limit', svg: letter('Q', '#546e7a') },
  { bit: Flag.JOBCMD_FAILED, title: 'job command failed', svg: letter('!', '#d32f2f') },
  { bit: Flag.EDIT_FAILED, title: 'edit failed', svg: letter('!', '#d32f2f') },
  { bit: Flag.KILLCMD_FAILED, title: 'kill command failed', svg: letter('!', '#d32f2f') },
  { bit: Flag.STATUSCMD_FAILED, title: 'status command failed', svg: letter('!', '#d32f2f') },
  { bit: Flag.LOG_ERROR, title: 'log error', svg: letter('L', '#d32f2f') },
  { bit: Flag.CHECKPT_ERROR, title: 'checkpoint error', svg: letter('C', '#d32f2f') },
  { bit: Flag.REMOTE_ERROR, title: 'remote error', svg: letter('!', '#b71c1c') },
];

const iconCache = new Map<number, { html: string; text: string }>();

/** The icons of a flag mask as HTML (cached per mask) and as words for screen readers. */
export function flagIcons(flags: number): { html: string; text: string } {
  let hit = iconCache.get(flags);
  if (hit === undefined) {
    let html = '';
    const words: string[] = [];
    for (const f of FLAG_ICONS) {
      if ((flags & (1 << f.bit)) === 0) continue;
      html += `<span class="flag" title="${f.title}">${f.svg}</span>`;
      words.push(f.title);
    }
    hit = { html, text: words.join(', ') };
    if (iconCache.size > 512) iconCache.clear();
    iconCache.set(flags, hit);
  }
  return hit;
}
