/**
 * A small live ecFlow "centre" on this machine for `ecflow-remote demo`: Debian's ecflow_server on a
 * free port with a suite that keeps running (tasks go submitted → active → complete in a loop, a
 * meter moves, a label and an event change, one task aborts), and ecflow_logsvr serving the job
 * output. Everything lives in one private directory and is stopped by PID.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, openSync, closeSync, rmSync } from 'node:fs';
import { chmod, mkdir, writeFile } from 'node:fs/promises';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { delimiter, join } from 'node:path';
import { EcflowError, ErrorCode } from '../errors.js';
import { EcflowClient } from '../client/ecflow-client.js';
import { CtsApi } from '../protocol/commands.js';

export interface DemoCentre {
  readonly dir: string;
  readonly ecfHome: string;
  readonly host: string;
  readonly port: number;
  readonly logPort: number;
  readonly serverPid: number;
  readonly logServerPid: number | undefined;
  stop(): Promise<void>;
}

export interface DemoOptions {
  /** ecflow_server port (default: a free one in 1024-49151). */
  readonly port?: number;
  /** Keep the directory after stop (for looking at the files). */
  readonly keep?: boolean;
  readonly env?: NodeJS.ProcessEnv;
}

// Note: '%' is ecFlow's variable marker in scripts; a literal percent sign is written '%%'.
const HEAD_H = `#!/bin/sh
# ecflow-remote demo job header: report to the server; abort on any error.
set -e
ECF_HOST=%ECF_HOST%; ECF_PORT=%ECF_PORT%; ECF_NAME=%ECF_NAME%; ECF_PASS=%ECF_PASS%; ECF_TRYNO=%ECF_TRYNO%; ECF_RID=$$
ECF_TIMEOUT=60; ECF_DENIED=1
export ECF_HOST ECF_PORT ECF_NAME ECF_PASS ECF_TRYNO ECF_RID ECF_TIMEOUT ECF_DENIED
ecflow_client --init="$$"
# On failure: tell the server (task aborted) and end cleanly, so the job command itself does not fail.
trap 'rc=$?; trap - EXIT; if [ $rc -ne 0 ]; then ecflow_client --abort="exit code $rc"; fi; exit 0' EXIT
trap 'exit 143' HUP INT TERM
echo "$(date '+%%H:%%M:%%S') %ECF_NAME% try %ECF_TRYNO% started on $(hostname)"
`;
const TAIL_H = `echo "$(date '+%%H:%%M:%%S') %ECF_NAME% done"
trap - EXIT
ecflow_client --complete
exit 0
`;

const SCRIPTS: Record<string, string> = {
  'operations/fetch': `%include <head.h>
ecflow_client --label=status "fetching cycle %CYCLE%"
sleep 3
echo "fetched 42 files for cycle %CYCLE%"
ecflow_client --event=data_ready
ecflow_client --label=status "cycle %CYCLE% fetched"
%include <tail.h>
`,
  'operations/process': `%include <head.h>
i=0
while [ $i -le 100 ]; do
  ecflow_client --meter=progress $i
  echo "processing: $i%%"
  i=$((i + 20))
  sleep 1
done
%include <tail.h>
`,
  'operations/archive': `%include <head.h>
echo "archiving cycle %CYCLE%"
sleep 2
%include <tail.h>
`,
  'checks/quality': `%include <head.h>
echo "checking the data of %SUITE%"
echo "ERROR: 3 of 42 files failed the quality check" >&2
exit 1
%include <tail.h>
`,
  'checks/report': `%include <head.h>
echo "report written"
%include <tail.h>
`,
  'monitoring/heartbeat': `%include <head.h>
echo "server heartbeat %TICK%"
sleep 4
%include <tail.h>
`,
};

function demoDefs(ecfHome: string, logPort: number): string {
  return `suite demo
  edit ECF_HOME '${ecfHome}'
  edit ECF_INCLUDE '${join(ecfHome, 'include')}'
  edit ECF_LOGHOST 'localhost'
  edit ECF_LOGPORT '${logPort}'
  family operations
    repeat integer CYCLE 1 1000000
    task fetch
      label status "waiting"
      event data_ready
    task process
      trigger fetch == complete
      meter progress 0 100 100
    task archive
      trigger process == complete
  endfamily
  family checks
    task quality
      edit ECF_TRIES '1'
    task report
      trigger quality == complete
  endfamily
  family monitoring
    repeat integer TICK 1 1000000
    task heartbeat
  endfamily
endsuite
`;
}

function findProgram(name: string, extra: readonly string[], env: NodeJS.ProcessEnv): string | undefined {
  const dirs = [...(env['PATH'] ?? '').split(delimiter), ...extra];
  for (const d of dirs) {
    if (d === '') continue;
    const p = join(d, name);
    if (existsSync(p)) return p;
  }
  return undefined;
}

/** A free TCP port in 1024-49151 (ecflow_server 5.17 refuses higher ones). */
export async function freeDemoPort(): Promise<number> {
  for (let i = 0; i < 50; i++) {
    const port = 20000 + Math.floor(Math.random() * 29000);
    const free = await new Promise<boolean>((resolve) => {
      const s = createServer();
      s.once('error', () => resolve(false));
      s.listen(port, '127.0.0.1', () => s.close(() => resolve(true)));
    });
    if (free) return port;
  }
  throw new EcflowError(ErrorCode.CONNECT, 'no free port found in 20000-49000');
}

/** `group`: the daemon leads a process group of its own, which its children (ecflow_server's jobs) join. */
function startDaemon(file: string, args: string[], cwd: string, env: NodeJS.ProcessEnv, logFile: string, group = false): ChildProcess {
  const out = openSync(logFile, 'a');
  try {
    const child = spawn(file, args, { cwd, env, stdio: ['ignore', out, out], detached: group });
    child.on('error', () => undefined);
    return child;
  } finally {
    closeSync(out);
  }
}

/**
 * Start the demo centre. Needs Debian's ecflow-server (ecflow_server, ecflow_logsvr) and
 * ecflow-client (the jobs call ecflow_client).
 */
export async function startDemoCentre(options: DemoOptions = {}): Promise<DemoCentre> {
  const env = options.env ?? process.env;
  const serverBin = findProgram('ecflow_server', ['/usr/sbin', '/usr/local/sbin'], env);
  const clientBin = findProgram('ecflow_client', ['/usr/bin', '/usr/local/bin'], env);
  const logsvrBin = findProgram('ecflow_logsvr', ['/usr/sbin', '/usr/local/sbin'], env);
  if (serverBin === undefined || clientBin === undefined) {
    throw new EcflowError(
      ErrorCode.CONFIG,
      `the demo needs ecFlow's server and client programs (${serverBin === undefined ? 'ecflow_server' : ''}${serverBin === undefined && clientBin === undefined ? ', ' : ''}${clientBin === undefined ? 'ecflow_client' : ''} not found): on Debian/Ubuntu run: apt-get install ecflow-server ecflow-client`,
    );
  }
  const dir = mkdtempSync(join(tmpdir(), 'ecflow-remote-demo-'));
  const ecfHome = join(dir, 'ecf_home');
  await mkdir(join(ecfHome, 'include'), { recursive: true });
  await writeFile(join(ecfHome, 'include', 'head.h'), HEAD_H);
  await writeFile(join(ecfHome, 'include', 'tail.h'), TAIL_H);
  for (const [path, text] of Object.entries(SCRIPTS)) {
    await mkdir(join(ecfHome, 'demo', path.split('/')[0]!), { recursive: true });
    await writeFile(join(ecfHome, 'demo', `${path}.ecf`), text);
  }
  const port = options.port ?? (await freeDemoPort());
  const logPort = await freeDemoPort();
  const childEnv: NodeJS.ProcessEnv = {
    ...env,
    PATH: `${clientBin.slice(0, clientBin.lastIndexOf('/'))}${delimiter}${env['PATH'] ?? '/usr/bin:/bin'}`,
    ECF_HOME: ecfHome,
    ECF_PORT: String(port),
  };
  for (const k of ['ECF_HOST', 'ECF_SSL', 'ECF_USER', 'ECF_PASSWD', 'ECF_CUSTOM_PASSWD', 'ECF_LISTS']) delete childEnv[k];
  const server = startDaemon(serverBin, ['--port', String(port)], ecfHome, childEnv, join(dir, 'ecflow_server.out'), true);
  let logServer: ChildProcess | undefined;
  if (logsvrBin !== undefined) {
    logServer = startDaemon('perl', [logsvrBin], ecfHome, { ...childEnv, LOGPORT: String(logPort), LOGPATH: ecfHome }, join(dir, 'ecflow_logsvr.out'));
  }
  const client = new EcflowClient({ host: 'localhost', port, env: {} });
  const stop = async () => {
    try {
      await client.request({ cmd: 'CtsCmd', api: CtsApi.TERMINATE_SERVER }, { timeoutMs: 3000 });
    } catch {
      // already gone, or not answering: SIGKILL below
    }
    // The jobs outlive the server (their ecflow_client retries for a minute): they are in the
    // server's process group, so that goes as a whole.
    if (server.pid !== undefined) {
      try {
        process.kill(-server.pid, 'SIGKILL');
      } catch {
        // the group is gone
      }
    }
    for (const p of [server, logServer]) {
      if (p?.pid !== undefined && p.exitCode === null) {
        try {
          process.kill(p.pid, 'SIGKILL');
        } catch {
          // gone
        }
      }
    }
    if (!options.keep) rmSync(dir, { recursive: true, force: true });
  };
  try {
    const deadline = Date.now() + 15_000;
    for (;;) {
      try {
        await client.serverVersion({ timeoutMs: 1000 });
        break;
      } catch (e) {
        if (server.exitCode !== null || Date.now() > deadline) {
          throw new EcflowError(ErrorCode.CONNECT, `ecflow_server did not start on port ${port} (see ${join(dir, 'ecflow_server.out')})`, { cause: e });
        }
        await new Promise((r) => setTimeout(r, 100));
      }
    }
    await client.request({ cmd: 'LoadDefsCmd', defs: demoDefs(ecfHome, logPort), force: true, defsFilename: 'demo.def' });
    await client.request({ cmd: 'CtsCmd', api: CtsApi.RESTART_SERVER });
    await client.request({ cmd: 'BeginCmd', suiteName: 'demo' });
    await chmod(dir, 0o700);
  } catch (e) {
    await stop();
    throw e;
  }
  return { dir, ecfHome, host: 'localhost', port, logPort, serverPid: server.pid!, logServerPid: logServer?.pid, stop };
}
