/**
 * How an attribute row looks (ecflow_ui tree, reference §1.3): meters as a bar, events as a
 * box, labels as "name: value", repeats "name=value", triggers/complete/time in a frame, limits
 * "name value/max". Returns safe HTML (every text escaped) and the plain text for aria-label.
 */

import type { UiAttribute } from '../../../src/server/ui-protocol.js';

export function escapeHtml(s: string): string {
  return s.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
}

export interface AttrView {
  readonly html: string;
  readonly text: string;
}

export function renderAttribute(a: UiAttribute): AttrView {
  switch (a.kind) {
    case 'meter': {
      const span = a.max - a.min;
      const pct = span > 0 ? Math.max(0, Math.min(100, ((a.value - a.min) / span) * 100)) : 0;
      const over = a.colourChange > a.min && a.value >= a.colourChange;
      return {
        html: `<span class="a-meter${over ? ' over' : ''}"><span style="width:${pct.toFixed(1)}%"></span></span><b>${escapeHtml(a.name)}:</b> ${a.value}`,
        text: `meter ${a.name} ${a.value} (${a.min}–${a.max})`,
      };
    }
    case 'event':
      return {
        html: `<span class="a-event${a.value ? ' set' : ''}"></span>${escapeHtml(a.name || String(a.number ?? ''))}`,
        text: `event ${a.name || String(a.number ?? '')} ${a.value ? 'set' : 'clear'}`,
      };
    case 'label':
      return {
        html: `<b>${escapeHtml(a.name)}:</b> <span class="a-label">${escapeHtml(a.value || a.original)}</span>`,
        text: `label ${a.name}: ${a.value || a.original}`,
      };
    case 'repeat':
      return { html: `<span title="${escapeHtml(a.text)}">${escapeHtml(a.name)}=${escapeHtml(a.value)}</span>`, text: `repeat ${a.name}=${a.value}` };
    case 'trigger':
    case 'complete':
      return {
        html: `<span class="a-expr${a.free ? ' free' : ''}${a.holding === true ? ' holding' : ''}" title="${a.kind}">${escapeHtml(a.text)}</span>`,
        text: `${a.kind} ${a.text}`,
      };
    case 'limit':
      return { html: `<b>${escapeHtml(a.name)}</b> ${a.value}/${a.max}`, text: `limit ${a.name} ${a.value}/${a.max}` };
    case 'late':
      return { html: `<span class="a-frame${a.isLate ? ' late' : ''}">${escapeHtml(a.text)}</span>`, text: a.text };
    case 'time':
    case 'today':
    case 'date':
    case 'day':
    case 'cron':
      return { html: `<span class="a-frame${a.free ? ' free' : ' holding'}">${escapeHtml(a.text)}</span>`, text: a.text };
    case 'variable':
      return { html: `<span class="a-var">${escapeHtml(a.name)} = ${escapeHtml(a.value)}</span>`, text: `variable ${a.name} = ${a.value}` };
    default:
      return { html: `<span class="a-frame">${escapeHtml(a.text)}</span>`, text: a.text };
  }
}
