/**
 * Why tab: why the node is not running, one reason per line as ecflow_client --why prints it,
 * with plain-word details under a reason; node paths in the text are links that select the node.
 */

import { el } from './host.js';
import { linkifyPaths, Loader, selectHandler } from './tab-util.js';
import { ALL_KINDS, type TabContext, type TabDef, type TabInstance } from './tab-types.js';

function create(ctx: TabContext): TabInstance {
  const loader = new Loader(ctx);
  const out = el('div', 'ecf-why');
  ctx.root.append(out);
  const onPath = selectHandler(ctx);
  const load = async (): Promise<void> => {
    const r = await loader.run({ what: 'why', server: ctx.target.server, path: ctx.path }, 'Why');
    if (r === undefined) return;
    // The reasons carry ecflow_client's lines plus details; older answers may only have the lines.
    const reasons = r.data.reasons.length > 0 ? r.data.reasons : r.data.lines.map((text) => ({ text, details: [] as readonly string[] }));
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
