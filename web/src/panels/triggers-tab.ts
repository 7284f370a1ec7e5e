/**
 * Triggers tab (ecflow_ui's table mode): the node's trigger and complete expressions, with the
 * node names in them as links; the nodes this node depends on ("triggers of this node") and the
 * nodes that depend on it ("triggered by this node"), each a link that selects the node.
 */

import { el } from './host.js';
import { isObj, listOf, pick, str, type Json } from './panel-data.js';
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

interface Dep {
  readonly path: string;
  readonly note: string;
  readonly missing: boolean;
}

/**
 * Dependencies of a `triggers` reply (UiDependency): for "triggers of" the node referred to
 * (`target`), for "triggered by" the node whose expression it is (`node`).
 */
function deps(v: unknown, side: 'target' | 'node'): Dep[] {
  const list = Array.isArray(v) ? v : [];
  return list.map((d) => {
    if (typeof d === 'string') return { path: d, note: '', missing: false };
    if (!isObj(d)) return { path: String(d), note: '', missing: false };
    const path = str(pick(d, side, 'path')) ?? '';
    const found = d['found'] !== false;
    const note = [str(d['expression']), str(d['state']), found ? undefined : 'not found'].filter((x) => x !== undefined && x !== '').join(' · ');
    return { path, note, missing: !found };
  });
}

function exprText(v: unknown): string | undefined {
  if (typeof v === 'string') return v;
  if (isObj(v)) return str(pick(v, 'text', 'expression'));
  return undefined;
}

/** "(free)", "(holds)", "(does not hold)" after an expression. */
function exprNote(v: unknown): string {
  if (!isObj(v)) return '';
  if (v['free'] === true) return 'freed';
  if (v['holds'] === true) return 'holds';
  if (v['holds'] === false) return 'does not hold';
  return '';
}

function create(ctx: TabContext): TabInstance {
  const loader = new Loader(ctx);
  const out = el('div', 'ecf-triggers');
  ctx.root.append(out);
  const onPath = selectHandler(ctx);

  const depList = (title: string, cls: string, list: Dep[], empty: string): HTMLElement => {
    const sec = el('section', `ecf-trig-section ${cls}`);
    sec.append(el('h3', 'ecf-info-h', `${title} (${list.length})`));
    if (list.length === 0) sec.append(el('div', 'ecf-empty', empty));
    const ul = el('ul', 'ecf-trig-list');
    for (const d of list) {
      const li = el('li');
      li.append(nodeLink(d.path, d.path, onPath));
      if (d.missing) li.classList.add('ecf-trig-missing');
      if (d.note !== '') li.append(el('span', 'ecf-trig-note', d.note));
      ul.append(li);
    }
    sec.append(ul);
    return sec;
  };

  const load = async (): Promise<void> => {
    const r = await loader.run({ what: 'triggers', server: ctx.target.server, path: ctx.path }, 'Triggers');
    if (r === undefined) return;
    const o: Json = isObj(r.data) ? r.data : {};
    const rows: Array<readonly [string, Node]> = [];
    for (const [key, label] of [['trigger', 'Trigger'], ['complete', 'Complete']] as const) {
      const t = exprText(o[key]);
      if (t === undefined || t === '') continue;
      const code = el('code', `ecf-expr ecf-expr-${key}`);
      linkifyExpression(code, t, ctx.path, onPath);
      const cell = el('span', 'ecf-expr-cell');
      cell.append(code);
      const note = exprNote(o[key]);
      if (note !== '') cell.append(el('span', `ecf-trig-note ecf-expr-${note.replace(/\s+/g, '-')}`, note));
      rows.push([label, cell]);
    }
    const parts: Node[] = [];
    parts.push(rows.length > 0 ? kvTable(rows, 'ecf-trig-expr') : el('div', 'ecf-empty', 'This node has no trigger or complete expression.'));
    parts.push(depList('Triggers of this node', 'ecf-trig-of', deps(listOf(o, 'triggersOf', 'triggers'), 'target'), 'Nothing triggers this node.'));
    parts.push(
      depList('Triggered by this node', 'ecf-trig-by', deps(listOf(o, 'triggeredBy'), 'node'), 'No node depends on this one.'),
    );
    out.replaceChildren(...parts);
  };
  void load();
  return { refresh: () => void load(), dispose: () => loader.dispose() };
}

export const triggersTab: TabDef = { name: 'triggers', label: 'Triggers', key: 't', kinds: NODE_KINDS, create };
