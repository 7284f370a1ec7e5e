/**
 * Which log server ecflow_ui should use for a server. ecflow_ui takes ONE custom log server per
 * server (`server.files.logServerHost/Port`), which replaces every task's ECF_LOGHOST/ECF_LOGPORT.
 * Behind a route the tasks' own log hosts are centre names that ecflow_ui cannot reach, so we count
 * the log servers the tasks and aliases use (logServerFor, the same rule ecflow_ui applies per node)
 * and pick the most used one; the others are reported.
 *
 * Pure module: no Node or DOM types.
 */

import type { Defs } from '../model/defs.js';
import { Submittable } from '../model/node.js';
import { isLogServerLocation, logServerFor } from '../logserver/output-path.js';

/** One log server and how many tasks/aliases use it. */
export interface LogServerUse {
  readonly host: string;
  readonly port: number;
  readonly nodes: number;
}

export interface LogServerCensus {
  /** Most used first (ties: first seen in defs order). */
  readonly used: readonly LogServerUse[];
  /** Tasks/aliases without a usable log server (no ECF_LOGHOST/PORT, or unsubstituted). */
  readonly without: number;
}

/**
 * Counts the log servers of every task and alias of `defs`.
 *
 * @example
 * logServerCensus(defs) // { used: [{ host: 'logserver1', port: 9316, nodes: 3 }], without: 0 }
 */
export function logServerCensus(defs: Defs): LogServerCensus {
  const counts = new Map<string, { host: string; port: number; nodes: number; order: number }>();
  let without = 0;
  defs.forEachNode((node) => {
    if (!(node instanceof Submittable)) return;
    const where = logServerFor(node);
    if (!isLogServerLocation(where)) {
      without++;
      return;
    }
    const key = `${where.host.toLowerCase()}:${where.port}`;
    const entry = counts.get(key);
    if (entry === undefined) counts.set(key, { host: where.host, port: where.port, nodes: 1, order: counts.size });
    else entry.nodes++;
  });
  const used = [...counts.values()].sort((a, b) => b.nodes - a.nodes || a.order - b.order).map(({ host, port, nodes }) => ({ host, port, nodes }));
  return { used, without };
}

/** A sentence about the log servers ecflow_ui will NOT use for a server, or undefined. */
export function censusNote(serverName: string, census: LogServerCensus): string | undefined {
  const [first, ...others] = census.used;
  if (first === undefined || others.length === 0) return undefined;
  const list = others.map((o) => `${o.host}:${o.port} (${o.nodes})`).join(', ');
  return (
    `server ${serverName}: its tasks use ${census.used.length} log servers; ecflow_ui takes one custom log server per server, ` +
    `so it gets the most used, ${first.host}:${first.port} (${first.nodes} tasks). Output of tasks on ${list} comes from the ` +
    `ecFlow server instead (or use: ecflow-remote output --server=${serverName} PATH)`
  );
}
