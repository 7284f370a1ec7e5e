/**
 * Counts over a defs: nodes by kind and by state (NState names), and attributes by kind. Used by
 * the CLI (`--tree-summary`), tests and benchmarks.
 *
 * Pure module: no Node or DOM types.
 */

import type { Defs } from './defs.js';
import type { AttrListKey } from './node.js';
import { NSTATE_NAMES, type NodeKind, type NStateName } from './types.js';

export interface TreeSummary {
  /** All nodes (suites, families, tasks, aliases). */
  total: number;
  kinds: Record<NodeKind, number>;
  /** Nodes per state name (every NState name present, 0 when none). */
  states: Record<NStateName, number>;
  /** Attributes per kind (variables, labels, …, plus repeat/trigger/complete/late/auto*). */
  attributes: Record<string, number>;
  /** Nodes that are suspended. */
  suspended: number;
  /** Server variables (user + built-in). */
  serverVariables: number;
}

const LIST_KEYS: readonly AttrListKey[] = [
  'variables', 'labels', 'meters', 'events', 'limits', 'inlimits', 'times', 'todays', 'dates', 'days', 'crons',
  'avisos', 'mirrors', 'zombies', 'verifies', 'queues', 'generics', 'unknown',
];
const SINGLE_KEYS = ['trigger', 'complete', 'late', 'repeat', 'autoCancel', 'autoArchive', 'autoRestore'] as const;

/**
 * Count the nodes and attributes of a defs.
 *
 * @example
 * const s = treeSummary(defs); // s.kinds.task, s.states.aborted, s.attributes.labels
 */
export function treeSummary(defs: Defs): TreeSummary {
  const kinds: Record<NodeKind, number> = { suite: 0, family: 0, task: 0, alias: 0 };
  const stateCounts = new Array<number>(NSTATE_NAMES.length).fill(0);
  const attrs: Record<string, number> = {};
  for (const k of LIST_KEYS) attrs[k] = 0;
  for (const k of SINGLE_KEYS) attrs[k] = 0;
  let total = 0;
  let suspended = 0;
  defs.forEachNode((node) => {
    total++;
    kinds[node.kind]++;
    stateCounts[node.state] = (stateCounts[node.state] ?? 0) + 1;
    if (node.suspended) suspended++;
    const a = node.attrs;
    if (a === undefined) return;
    for (const k of LIST_KEYS) {
      const list = a[k];
      if (list !== undefined) attrs[k] = (attrs[k] ?? 0) + list.length;
    }
    for (const k of SINGLE_KEYS) if (a[k] !== undefined) attrs[k] = (attrs[k] ?? 0) + 1;
  });
  const states = {} as Record<NStateName, number>;
  NSTATE_NAMES.forEach((n, i) => {
    states[n] = stateCounts[i] ?? 0;
  });
  return {
    total,
    kinds,
    states,
    attributes: attrs,
    suspended,
    serverVariables: defs.serverVariables.length + defs.builtinServerVariables.length,
  };
}
