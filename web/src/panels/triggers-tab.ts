/**
 * Triggers tab (ecflow_ui's table mode): the node's trigger and complete expressions, with the
 * node names in them as links; the nodes this node depends on ("triggers of this node") and the
 * nodes that depend on it ("triggered by this node"), each a link that selects the node.
 */

import { el } from './host.js';
import type { UiDependency } from '../../../src/server/ui-protocol.js';
import { kvTable, Loader, nodeLink, resolvePath, selectHandler } from './tab-util.js';
import { NODE_KINDS, type TabContext, type TabDef, type TabInstance } from './tab-types.js';

const WORDS = new Set([
  'and', 'or', 'not', 'AND', 'OR', 'NOT', 'eq', 'ne', 'lt', 'gt', 'le', 'ge',
  'complete', 'queued', 'aborted', 'active', 'submitted', 'unknown', 'set', 'clear', 'true', 'false',
]);
const TOKEN_RE = /[A-Za-z0-9_./-]+(?::[A-Za-z0-9_]+)?/g;

/** Append an expression with its node references as links. */
export function linkifyExpression(parent: HTMLElement, expr: string, nodePath: string, onPath: (p: string) => void): void {
  let last = 0;
  for (const m of expr.matchAll(TOKEN_RE)) {
    const tok = m[0];
    const start = m.index ?? 0;
    const nodePart = tok.split(':')[0] ?? '';
    if (WORDS.has(tok) || /^[\d.]+$/.test(nodePart) || nodePart === '' || nodePart.startsWith('-')) continue;
    if (start > last) parent.append(expr.slice(last, start));
    parent.append(nodeLink(resolvePath(nodePath, nodePart), tok, onPath));
    last = start + tok.length;
  }
  if (last < expr.length) parent.append(expr.slice(last));
}

/** "trigger · complete · not found" after a dependency. */
function depNote(d: UiDependency): string {
  return [d.expression, d.state, d.found ? undefined : 'not found'].filter((x) => x !== undefined && x !== '').join(' · ');
}

/** "freed", "holds", "does not hold" after an expression. */
function exprNote(e: { readonly free: boolean; readonly holds: boolean }): string {
  return e.free ? 'freed' : e.holds ? 'holds' : 'does not hold';
}

function create(ctx: TabContext): TabInstance {
  const loader = new Loader(ctx);
  const out = el('div', 'ecf-triggers');
  ctx.root.append(out);
  const onPath = selectHandler(ctx);

  /** A dependency list; `side` names the other node (`target` for triggers-of, `node` for triggered-by). */
  const depList = (title: string, cls: string, list: readonly UiDependency[], side: 'target' | 'node', empty: string): HTMLElement => {
    const sec = el('section', `ecf-trig-section ${cls}`);
    sec.append(el('h3', 'ecf-info-h', `${title} (${list.length})`));
    if (list.length === 0) sec.append(el('div', 'ecf-empty', empty));
    const ul = el('ul', 'ecf-trig-list');
    for (const d of list) {
      const li = el('li');
      li.append(nodeLink(d[side], d[side], onPath));
      if (!d.found) li.classList.add('ecf-trig-missing');
      li.append(el('span', 'ecf-trig-note', depNote(d)));
      ul.append(li);
    }
    sec.append(ul);
    return sec;
  };

  const load = async (): Promise<void> => {
    const r = await loader.run({ what: 'triggers', server: ctx.target.server, path: ctx.path }, 'Triggers');
    if (r === undefined) return;
    const d = r.data;
    const rows: Array<readonly [string, Node]> = [];
    for (const [key, label] of [['trigger', 'Trigger'], ['complete', 'Complete']] as const) {
      const e = d[key];
      if (e === undefined) continue;
      const code = el('code', `ecf-expr ecf-expr-${key}`);
      linkifyExpression(code, e.text, ctx.path, onPath);
      const cell = el('span', 'ecf-expr-cell');
      const note = exprNote(e);
      cell.append(code, el('span', `ecf-trig-note ecf-expr-${note.replace(/\s+/g, '-')}`, note));
      rows.push([label, cell]);
    }
    out.replaceChildren(
      rows.length > 0 ? kvTable(rows, 'ecf-trig-expr') : el('div', 'ecf-empty', 'This node has no trigger or complete expression.'),
      depList('Triggers of this node', 'ecf-trig-of', d.triggersOf, 'target', 'Nothing triggers this node.'),
      depList('Triggered by this node', 'ecf-trig-by', d.triggeredBy, 'node', 'No node depends on this one.'),
    );
  };
  void load();
  return { refresh: () => void load(), dispose: () => loader.dispose() };
}

export const triggersTab: TabDef = { name: 'triggers', label: 'Triggers', key: 't', kinds: NODE_KINDS, create };
