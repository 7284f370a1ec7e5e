/**
 * Why tab: why the node is not running, one reason per line as ecflow_client --why prints it,
 * with plain-word details under a reason; node paths in the text are links that select the node.
 */

import { el } from './host.js';
import { isObj, listOf, str, textOf } from './panel-data.js';
import { linkifyPaths, Loader, selectHandler } from './tab-util.js';
import { ALL_KINDS, type TabContext, type TabDef, type TabInstance } from './tab-types.js';

interface Reason {
  readonly text: string;
  readonly details: readonly string[];
}

export function whyReasons(v: unknown): Reason[] {
  const list = listOf(v, 'reasons', 'why', 'lines');
  if (list.length === 0) {
    const t = textOf(v);
    return t.trim() === '' ? [] : t.split('\n').filter((l) => l.trim() !== '').map((text) => ({ text, details: [] }));
  }
  return list.map((r) => {
    if (!isObj(r)) return { text: String(r), details: [] };
    const details = Array.isArray(r['details']) ? r['details'].map(String) : [];
    return { text: str(r['text']) ?? JSON.stringify(r), details };
  });
}

function create(ctx: TabContext): TabInstance {
  const loader = new Loader(ctx);
  const out = el('div', 'ecf-why');
  ctx.root.append(out);
  const onPath = selectHandler(ctx);
  const load = async (): Promise<void> => {
    const r = await loader.run({ what: 'why', server: ctx.target.server, path: ctx.path }, 'Why');
    if (r === undefined) return;
    const reasons = whyReasons(r.data);
    if (reasons.length === 0) {
      out.replaceChildren(el('div', 'ecf-empty', 'Nothing is holding this node.'));
      return;
    }
    const ul = el('ul', 'ecf-why-list');
    for (const reason of reasons) {
      const li = el('li', 'ecf-why-reason');
      const line = el('div', 'ecf-why-text');
      linkifyPaths(line, reason.text, onPath);
      li.append(line);
      if (reason.details.length > 0) {
        const d = el('ul', 'ecf-why-details');
        for (const t of reason.details) {
          const dl = el('li');
          linkifyPaths(dl, t.replace(/^\s*-\s*/, ''), onPath);
          d.append(dl);
        }
        li.append(d);
      }
      ul.append(li);
    }
    out.replaceChildren(ul);
  };
  void load();
  return { refresh: () => void load(), dispose: () => loader.dispose() };
}

export const whyTab: TabDef = { name: 'why', label: 'Why', key: 'w', kinds: ALL_KINDS, create };
