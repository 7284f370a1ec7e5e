/**
 * The python reference (python3-ecflow, the official client), each measurement in a fresh python:
 *
 *  - pythonFullSync: `Client.sync_local()` + `get_defs()` on a new client (a full sync), wall and
 *    CPU time, ru_maxrss after it; optionally the node counts by kind and state (the walk is slow:
 *    ~6 s per million nodes, so the bench does it once per size). Same snippet as the harness's
 *    pythonTreeSummary, plus CPU time and an optional walk.
 *  - pythonIncremental: one process does a full `sync_local()`, times NEWS (`news_local()`) while
 *    in sync, says READY, waits until we have changed the server, then times the second
 *    `sync_local()` (incremental: python keeps its defs between calls) and checks that the changed
 *    tasks (`/s0/f<f>/t<t>`, the layout of taskPaths) are complete in its copy.
 */
import { spawn } from 'node:child_process';
import { applyEnv, cleanEnv } from '../test/helpers/env.js';
import { PY_COUNT_NODES, PYTHON_BIN, runPython, type TreeSummary } from '../test/helpers/python-ecflow.js';
import { guardPid, unguardPid } from '../test/helpers/run.js';

export interface PythonFullSync {
  /** sync_local() + get_defs(), ms. */
  syncMs: number;
  /** CPU time (user + sys) of the python process during it, ms. */
  cpuMs: number;
  rssBeforeKb: number;
  rssAfterSyncKb: number;
  /** Present when asked for (`walk`): counts like the harness's TreeSummary. */
  summary?: Pick<TreeSummary, 'total' | 'kinds' | 'states' | 'dstates' | 'serverState'>;
}

const FULL = `
import resource, time
import ecflow
${PY_COUNT_NODES}
def maxrss():
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
def cpu():
    r = resource.getrusage(resource.RUSAGE_SELF)
    return (r.ru_utime + r.ru_stime) * 1000.0
rss0 = maxrss()
c = ecflow.Client(params["host"], str(params["port"]))
c0 = cpu()
t0 = time.perf_counter()
c.sync_local()
defs = c.get_defs()
t1 = time.perf_counter()
c1 = cpu()
rss1 = maxrss()
out = {"syncMs": (t1 - t0) * 1000.0, "cpuMs": c1 - c0, "rssBeforeKb": rss0, "rssAfterSyncKb": rss1}
if params["walk"]:
    kinds, states, dstates = count_nodes(defs.suites)
    out["summary"] = {"total": sum(kinds.values()), "kinds": kinds, "states": states, "dstates": dstates,
                      "serverState": str(defs.get_server_state())}
print(json.dumps(out))
`;

/** A full sync through python in a fresh process (see the module comment). */
export function pythonFullSync(host: string, port: number, walk: boolean): Promise<PythonFullSync> {
  return runPython<PythonFullSync>(FULL, { host, port, walk }, { timeoutMs: 600_000 });
}

export interface PythonIncremental {
  fullSyncMs: number;
  newsMs: number;
  incSyncMs: number;
  incCpuMs: number;
  /** How many of the changed paths are `complete` in python's copy after the second sync. */
  completeAfter: number;
  checked: number;
  rssAfterFullKb: number;
  peakRssKb: number;
}

const SCRIPT = `
import json, sys, time, resource
import ecflow
params = json.loads(sys.argv[1])
def maxrss():
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
def cpu():
    r = resource.getrusage(resource.RUSAGE_SELF)
    return (r.ru_utime + r.ru_stime) * 1000.0
c = ecflow.Client(params["host"], str(params["port"]))
t0 = time.perf_counter()
c.sync_local()
t1 = time.perf_counter()
rss1 = maxrss()
news = []
for i in range(params["newsRepeats"]):
    a = time.perf_counter()
    c.news_local()
    news.append((time.perf_counter() - a) * 1000.0)
news.sort()
print("READY", flush=True)
sys.stdin.readline()
c2 = cpu()
t2 = time.perf_counter()
c.sync_local()
t3 = time.perf_counter()
c3 = cpu()
defs = c.get_defs()
done = 0
paths = ["/s0/f%d/t%d" % (params["firstFamily"] + i // params["familySize"], i % params["familySize"]) for i in range(params["count"])]
for p in paths:
    n = defs.find_abs_node(p)
    if n is not None and str(n.get_state()) == "complete":
        done += 1
print(json.dumps({
    "fullSyncMs": (t1 - t0) * 1000.0, "newsMs": news[len(news) // 2], "incSyncMs": (t3 - t2) * 1000.0, "incCpuMs": c3 - c2,
    "completeAfter": done, "checked": len(paths), "rssAfterFullKb": rss1, "peakRssKb": maxrss(),
}))
`;

/**
 * Run the python side; `change()` is called once python is in sync and must make the change on
 * the server (and resolve when the server has answered).
 */
export function pythonIncremental(
  host: string,
  port: number,
  tasks: { firstFamily: number; count: number; familySize: number },
  change: () => Promise<void>,
  timeoutMs = 600_000,
): Promise<PythonIncremental> {
  return new Promise((resolve, reject) => {
    const env = applyEnv(cleanEnv(), { PYTHONHOME: undefined, PYTHONDONTWRITEBYTECODE: '1' });
    const params = JSON.stringify({ host, port, ...tasks, newsRepeats: 20 });
    const child = spawn(PYTHON_BIN, ['-c', SCRIPT, params], { env, stdio: ['pipe', 'pipe', 'pipe'] });
    if (child.pid !== undefined) guardPid(child.pid);
    let out = '';
    let err = '';
    let ready = false;
    let failed: unknown;
    const timer = setTimeout(() => {
      failed = new Error(`python incremental sync timed out after ${timeoutMs} ms`);
      child.kill('SIGKILL');
    }, timeoutMs);
    child.stderr.on('data', (b: Buffer) => (err += b.toString('utf8')));
    child.stdout.on('data', (b: Buffer) => {
      out += b.toString('utf8');
      if (!ready && /^READY$/m.test(out)) {
        ready = true;
        change().then(
          () => child.stdin.end('go\n'),
          (e: unknown) => {
            failed = e;
            child.kill('SIGKILL');
          },
        );
      }
    });
    child.once('error', (e) => {
      clearTimeout(timer);
      reject(e);
    });
    child.once('close', (code) => {
      clearTimeout(timer);
      if (child.pid !== undefined) unguardPid(child.pid);
      if (failed !== undefined) return reject(failed);
      if (code !== 0) return reject(new Error(`python incremental sync failed (code ${code}):\n${err}${out}`));
      const last = out.trimEnd().split('\n').pop() ?? '';
      try {
        resolve(JSON.parse(last) as PythonIncremental);
      } catch (e) {
        reject(new Error(`python incremental sync: no JSON result:\n${out}\n${err}`, { cause: e }));
      }
    });
  });
}
