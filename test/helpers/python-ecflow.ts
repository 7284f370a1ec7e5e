/**
 * The official python client (python3-ecflow, `import ecflow`) as a reference implementation in
 * tests and benchmarks: what it sees of a server is what our client must see.
 *
 * Uses Debian's interpreter `/usr/bin/python3` (override: ECFLOW_PYTHON): the `ecflow` module is
 * installed for it only (`/usr/lib/python3/dist-packages/ecflow`), and a `python3` earlier on PATH
 * (pyenv …) does not see it.
 *
 * @example
 *   const s = await pythonTreeSummary(srv.host, srv.port);
 *   assert.equal(s.kinds.task, 3);
 *   assert.equal(s.states['queued'], 5);
 */
import { existsSync } from 'node:fs';
import { applyEnv, cleanEnv, type EnvPatch } from './env.js';
import { runCommand } from './run.js';

export const PYTHON_BIN = process.env['ECFLOW_PYTHON'] || (existsSync('/usr/bin/python3') ? '/usr/bin/python3' : 'python3');

export interface PythonOptions {
  /** Environment additions (`undefined` removes); base is the test env without ECF_* variables. */
  env?: EnvPatch;
  /** Default 600 s (a 1M-node sync through python takes seconds and GBs). */
  timeoutMs?: number;
}

/**
 * Runs a python3 snippet with the real `ecflow` module. The snippet gets `params` (the JSON value
 * passed here, already decoded) and must print ONE JSON document as its last stdout line, which is
 * returned parsed. A python exception becomes a rejected promise carrying the traceback.
 *
 * @example
 *   const v = await runPython<string>('import ecflow, json\nprint(json.dumps(ecflow.Client(params["host"], str(params["port"])).server_version()))', { host, port });
 */
export async function runPython<T = unknown>(snippet: string, params: unknown = null, options: PythonOptions = {}): Promise<T> {
  const env = applyEnv(cleanEnv(), { PYTHONHOME: undefined, PYTHONDONTWRITEBYTECODE: '1', ...options.env });
  const prelude = 'import json, sys\nparams = json.loads(sys.argv[1])\n';
  const r = await runCommand(PYTHON_BIN, ['-c', prelude + snippet, JSON.stringify(params)], {
    env,
    timeoutMs: options.timeoutMs ?? 600_000,
  });
  if (r.code !== 0) {
    throw new Error(`python snippet failed (code ${r.code}${r.timedOut ? ', timed out' : ''}):\n${r.stderr}${r.stdout}`);
  }
  const last = r.stdout.trimEnd().split('\n').pop() ?? '';
  try {
    return JSON.parse(last) as T;
  } catch (e) {
    throw new Error(`python snippet did not print JSON as its last line:\n${r.stdout}\n${r.stderr}`, { cause: e });
  }
}

export interface TreeSummary {
  /** Nodes counted: suites + families + tasks + aliases. */
  total: number;
  kinds: { suite: number; family: number; task: number; alias: number };
  /** Counts by node state (`str(node.get_state())`: unknown, queued, complete, …). */
  states: Record<string, number>;
  /** Counts by default/display state (`str(node.get_dstate())`, includes `suspended`). */
  dstates: Record<string, number>;
  /** `str(defs.get_server_state())`: HALTED, RUNNING, SHUTDOWN. */
  serverState: string;
  /** Wall time of `sync_local()` + `get_defs()` (a full sync on a fresh client), ms. */
  syncMs: number;
  /** Wall time of walking the tree to count, ms. */
  walkMs: number;
  /** ru_maxrss (KiB) of the python process before connecting, after the sync, after the walk. */
  rssBeforeKb: number;
  rssAfterSyncKb: number;
  peakRssKb: number;
}

/**
 * Python source of `count_nodes(suites) -> (kinds, states, dstates)`: node counts by kind, state and
 * default state, walking the python client's defs (shared by the harness and the benchmark).
 */
export const PY_COUNT_NODES = `
def count_nodes(suites):
    kinds = {"suite": 0, "family": 0, "task": 0, "alias": 0}
    states = {}
    dstates = {}
    stack = list(suites)
    while stack:
        n = stack.pop()
        if isinstance(n, ecflow.Suite):
            kinds["suite"] += 1
        elif isinstance(n, ecflow.Family):
            kinds["family"] += 1
        elif isinstance(n, ecflow.Task):
            kinds["task"] += 1
        elif isinstance(n, ecflow.Alias):
            kinds["alias"] += 1
        s = str(n.get_state())
        states[s] = states.get(s, 0) + 1
        d = str(n.get_dstate())
        dstates[d] = dstates.get(d, 0) + 1
        if not isinstance(n, ecflow.Alias):
            stack.extend(n.nodes)
    return kinds, states, dstates
`;

export interface TreeSummaryOptions extends PythonOptions {
  /** `Client.enable_ssl()` (the cert must be in $HOME/.ecflowrc/ssl of `env.HOME`). */
  ssl?: boolean;
  /** `Client.set_user_name()` — a custom user (needs ECF_CUSTOM_PASSWD in `env`). */
  user?: string;
}

const SUMMARY = `
import resource, time
import ecflow
${PY_COUNT_NODES}
def maxrss():
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
rss0 = maxrss()
c = ecflow.Client(params["host"], str(params["port"]))
if params.get("ssl"):
    c.enable_ssl()
if params.get("user"):
    c.set_user_name(params["user"])
t0 = time.perf_counter()
c.sync_local()
defs = c.get_defs()
t1 = time.perf_counter()
rss1 = maxrss()
server_state = ""
kinds, states, dstates = count_nodes([])
if defs is not None:
    server_state = str(defs.get_server_state())
    kinds, states, dstates = count_nodes(defs.suites)
t2 = time.perf_counter()
print(json.dumps({
    "total": sum(kinds.values()), "kinds": kinds, "states": states, "dstates": dstates,
    "serverState": server_state,
    "syncMs": (t1 - t0) * 1000.0, "walkMs": (t2 - t1) * 1000.0,
    "rssBeforeKb": rss0, "rssAfterSyncKb": rss1, "peakRssKb": maxrss(),
}))
`;

/**
 * Full sync through the python API and counts of nodes by kind and by state, plus the sync's wall
 * time and the python process's peak RSS (for benchmarks).
 */
export function pythonTreeSummary(
  host: string,
  port: number,
  env?: EnvPatch,
  options: TreeSummaryOptions = {},
): Promise<TreeSummary> {
  return runPython<TreeSummary>(
    SUMMARY,
    { host, port, ssl: options.ssl === true, user: options.user ?? null },
    { ...options, env: { ...options.env, ...env } },
  );
}
