/**
 * The Variables reply as sections, nearest first: the node's own variables, then each ancestor's
 * (inherited), then the server's. Generated variables are marked G; a variable hidden by one of
 * the same name in a nearer section is marked shadowed.
 *
 * Accepted reply forms: `{ sections: [{ path, variables, generated? }] }`, a bare array of
 * sections, or `{ variables|own, generated?, inherited: [sections] }`; a variable is
 * `{ name, value, generated? }` or `[name, value]`.
 */

import { isObj, pick, str, type Json } from './panel-data.js';

export interface VariableRow {
  readonly name: string;
  readonly value: string;
  readonly generated: boolean;
  /** A nearer section has a variable of the same name. */
  shadowed: boolean;
}

export interface VariableSection {
  /** '' for the server. */
  readonly path: string;
  readonly kind?: string;
  readonly variables: VariableRow[];
}

function rows(v: unknown, generated: boolean): VariableRow[] {
  if (isObj(v) && !Array.isArray(v) && pick(v, 'name') === undefined) {
    // { NAME: value } map
    return Object.entries(v).map(([name, value]) => ({ name, value: String(value), generated, shadowed: false }));
  }
  if (!Array.isArray(v)) return [];
  return v.map((x) => {
    if (Array.isArray(x)) return { name: String(x[0]), value: String(x[1] ?? ''), generated, shadowed: false };
    if (isObj(x)) {
      const g = x['generated'] === true || x['gen'] === true || x['type'] === 'generated' || generated;
      return { name: str(x['name']) ?? '', value: str(x['value']) ?? '', generated: g, shadowed: false };
    }
    return { name: String(x), value: '', generated, shadowed: false };
  });
}

function section(o: Json, fallbackPath: string): VariableSection {
  const path = str(pick(o, 'path', 'node')) ?? fallbackPath;
  const kind = str(o['kind']);
  const vars = [...rows(pick(o, 'variables', 'user', 'own') ?? [], false), ...rows(pick(o, 'generated', 'genVariables') ?? [], true)];
  return { path: path === '/' ? '' : path, ...(kind !== undefined ? { kind } : {}), variables: vars };
}

export function variableSections(v: unknown, nodePath: string): VariableSection[] {
  let sections: VariableSection[] = [];
  if (Array.isArray(v)) {
    sections = v.filter(isObj).map((s) => section(s, ''));
  } else if (isObj(v)) {
    const list = pick(v, 'sections');
    if (Array.isArray(list)) {
      sections = list.filter(isObj).map((s) => section(s, ''));
    } else {
      sections.push(section(v, nodePath));
      const inh = pick(v, 'inherited', 'ancestors');
      if (Array.isArray(inh)) sections.push(...inh.filter(isObj).map((s) => section(s, '')));
    }
  }
  markShadowed(sections);
  return sections;
}

/** Mark variables hidden by a nearer one of the same name (sections are nearest first). */
export function markShadowed(sections: readonly VariableSection[]): void {
  const seen = new Set<string>();
  for (const s of sections) {
    const user = new Set(s.variables.filter((r) => !r.generated).map((r) => r.name));
    // A user variable wins over a generated one of the same name on the same node.
    for (const r of s.variables) r.shadowed = seen.has(r.name) || (r.generated && user.has(r.name));
    for (const r of s.variables) seen.add(r.name);
  }
}
