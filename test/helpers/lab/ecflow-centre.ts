/**
 * The ecFlow side of the centre lab: two ecflow_servers and two ecflow_logsvr, each inside its own
 * centre host namespace (with that host's name as gethostname()), all run by the OS user `ecfop`.
 *
 *   server A  machine1:4141  white list: only the centre user (e.g. `ecuser`)           suite /lab_a
 *   server B  machine2:4142  white list: the centre user; custom passwd: centre user + password  /lab_b
 *   logserver1:9316  LOGPATH = server A's ECF_HOME     logserver2:9316  LOGPATH = server B's ECF_HOME
 *
 * Each suite runs at once (the servers are restarted after load/begin) and its tasks produce job
 * output: `f/hello` completes, `f/ticker` stays active printing `tick <n>` every second (for
 * `delta` fetches of growing output), `f/fails` aborts (ECF_TRIES 1). ECF_LOGHOST/ECF_LOGPORT at the
 * suite point at the log server of the same letter. Jobs run as ecfop with the default ECF_JOB_CMD
 * (`%ECF_JOB% 1> %ECF_JOBOUT% 2>&1`); they call the server back at ECF_HOST=machine1/machine2,
 * which resolves inside the host's own namespace. Child commands (--init/--complete) authenticate
 * with ECF_PASS and are not subject to the white list or the password files.
 *
 * Jobs outlive a killed ecflow_server (they are its children, not guarded): the lab's stop() kills
 * every process left in the namespaces.
 */
import { chmod, mkdir, writeFile } from 'node:fs/promises';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { ECFLOW_CLIENT_BIN, ECFLOW_SERVER_BIN } from '../ecflow-server.js';
import { PASSWD_VERSION, WHITE_LIST_VERSION } from '../ecflow-files.js';
import type { EnvPatch } from '../env.js';
import { chownTree, type OsUser } from '../os-user.js';
import type { RunResult } from '../run.js';
import { LAB_ADDRESSES, type LabNamespaces } from './netns.js';
import { type Daemon, nsRun, spawnDaemon } from './ns-exec.js';
import { waitListening } from './procs.js';

export const LOGSVR_BIN = '/usr/sbin/ecflow_logsvr';
export const LOG_PORT = 9316;

export interface CentreEcflowServer {
  /** 'a' (white list only) or 'b' (custom user + password, and a white list). */
  readonly name: 'a' | 'b';
  /** Centre host name (resolves only inside the centre) and port. */
  readonly host: 'machine1' | 'machine2';
  readonly address: string;
  readonly port: number;
  /** gethostname() of the server (= host): used in its file names and passwd host checks. */
  readonly hostName: string;
  /** The running suite, e.g. '/lab_a'. */
  readonly suite: string;
  readonly ecfHome: string;
  readonly pid: number;
  readonly logFile: string;
  readonly stdoutFile: string;
  readonly serverUser: string;
  readonly whiteListFile: string;
  /** The user the white list admits (the centre user). */
  readonly user: string;
  /** Server B: the password of `user` in its ECF_CUSTOM_PASSWD (undefined for A). */
  readonly password: string | undefined;
  readonly customPasswdFile: string | undefined;
  /** Where ECF_LOGHOST/ECF_LOGPORT of the suite point. */
  readonly logHost: 'logserver1' | 'logserver2';
  readonly logPort: number;
  /**
   * A client-side passwd line for `user` as a client reaches this server through a forward
   * (`ecuser 127.0.0.1 <local port> <password>`); B only. Prepend `4.5.0\n` for a whole file.
   */
  clientPasswdLine(host: string, port: number): string;
  /** The job output file of a task, e.g. outputPath('f/hello') → `<ECF_HOME>/lab_a/f/hello.1`. */
  outputPath(task: string, tryNo?: number): string;
  /** ecflow_client as the server's OS user, inside the server's host, against host:port. */
  client(args: readonly string[], env?: EnvPatch): Promise<RunResult>;
  logTail(lines?: number): string;
  alive(): boolean;
  readonly daemon: Daemon;
}

export interface CentreLogServer {
  readonly host: 'logserver1' | 'logserver2';
  readonly address: string;
  readonly port: number;
  readonly pid: number;
  /** LOGPATH: the directories it serves. */
  readonly logPath: readonly string[];
  readonly stdoutFile: string;
  alive(): boolean;
  readonly daemon: Daemon;
}

const HEAD_H = `#!/bin/sh
# ecflow-remote lab job header: tell the server the job started; abort on any error.
set -e
ECF_HOST=%ECF_HOST%; ECF_PORT=%ECF_PORT%; ECF_NAME=%ECF_NAME%; ECF_PASS=%ECF_PASS%; ECF_TRYNO=%ECF_TRYNO%; ECF_RID=$$
ECF_TIMEOUT=60; ECF_DENIED=1
export ECF_HOST ECF_PORT ECF_NAME ECF_PASS ECF_TRYNO ECF_RID ECF_TIMEOUT ECF_DENIED
ecflow_client --init="$$"
trap 'rc=$?; trap - EXIT; if [ $rc -ne 0 ]; then ecflow_client --abort="exit code $rc"; fi; exit $rc' EXIT
trap 'exit 143' HUP INT TERM
`;
const TAIL_H = `trap - EXIT
ecflow_client --complete
exit 0
`;
const TASKS: Record<string, string> = {
  hello: `%include <head.h>
echo "hello from %ECF_NAME% on $(hostname), server %LAB_SERVER%, try %ECF_TRYNO%"
echo "output file %ECF_JOBOUT%, log server %ECF_LOGHOST%:%ECF_LOGPORT%"
%include <tail.h>
`,
  ticker: `%include <head.h>
echo "ticker of server %LAB_SERVER% starts"
i=0
while [ $i -lt %TICKS:3600% ]; do i=$((i + 1)); echo "tick $i"; sleep 1; done
%include <tail.h>
`,
  fails: `%include <head.h>
echo "task %ECF_NAME% is about to fail"
false
%include <tail.h>
`,
};

function defsText(suite: string, ecfHome: string, host: string, letter: string, logHost: string): string {
  return `suite ${suite}
  edit ECF_HOME '${ecfHome}'
  edit ECF_INCLUDE '${join(ecfHome, 'include')}'
  edit ECF_HOST '${host}'
  edit ECF_LOGHOST '${logHost}'
  edit ECF_LOGPORT '${LOG_PORT}'
  edit LAB_SERVER '${letter}'
  family f
    task hello
    task ticker
    task fails
      edit ECF_TRIES '1'
  endfamily
endsuite
`;
}

function tail(path: string, lines: number): string {
  try {
    return readFileSync(path, 'utf8').split('\n').slice(-lines - 1).join('\n');
  } catch {
    return '(missing)';
  }
}

/** Server answered (even a refusal proves it decodes requests). */
const answered = (r: RunResult): boolean => r.code === 0 || /authentication failed/.test(r.stdout + r.stderr);

export interface ServerSpec {
  name: 'a' | 'b';
  ns: LabNamespaces;
  dir: string;
  op: OsUser;
  user: string;
  password: string;
  timeoutMs: number;
}

/** Writes the files of one server, starts it, waits for it, loads and runs its suite. */
export async function startCentreServer(spec: ServerSpec): Promise<CentreEcflowServer> {
  const isA = spec.name === 'a';
  const host = isA ? 'machine1' : 'machine2';
  const port = isA ? 4141 : 4142;
  const logHost = isA ? 'logserver1' : 'logserver2';
  const suite = `lab_${spec.name}`;
  const base = join(spec.dir, `ecflow-${spec.name}`);
  const ecfHome = join(base, 'ecf_home');
  const home = join(base, 'home');
  await mkdir(join(ecfHome, 'include'), { recursive: true, mode: 0o755 });
  await mkdir(join(ecfHome, suite, 'f'), { recursive: true, mode: 0o755 });
  await mkdir(home, { mode: 0o755 });
  await chmod(base, 0o711);
  const prefix = join(ecfHome, `${host}.${port}`);
  const whiteListFile = `${prefix}.ecf.lists`;
  const customPasswdFile = isA ? undefined : `${prefix}.ecf.custom_passwd`;
  await writeFile(whiteListFile, `${WHITE_LIST_VERSION}\n${spec.user}\n`);
  if (customPasswdFile) {
    await writeFile(customPasswdFile, `${PASSWD_VERSION}\n${spec.user} ${host} ${port} ${spec.password}\n`, { mode: 0o600 });
  }
  await writeFile(join(ecfHome, 'include', 'head.h'), HEAD_H);
  await writeFile(join(ecfHome, 'include', 'tail.h'), TAIL_H);
  for (const [task, text] of Object.entries(TASKS)) await writeFile(join(ecfHome, suite, 'f', `${task}.ecf`), text);
  const defsFile = join(ecfHome, `${suite}.def`);
  await writeFile(defsFile, defsText(suite, ecfHome, host, spec.name.toUpperCase(), logHost));
  await chownTree(base, spec.op);

  const stdoutFile = join(base, 'server.stdout');
  const env: EnvPatch = {
    ECF_HOME: ecfHome,
    ECF_PORT: String(port),
    ECF_LISTS: whiteListFile,
    ...(customPasswdFile ? { ECF_CUSTOM_PASSWD: customPasswdFile } : {}),
  };
  const argv = [ECFLOW_SERVER_BIN, '--port', String(port)];
  const daemon = spawnDaemon(`ecflow_server ${spec.name.toUpperCase()}`, spec.ns[host], argv, {
    hostname: host,
    asUser: spec.op,
    env: { ...env, HOME: home },
    cwd: ecfHome,
    outputFile: stdoutFile,
  });
  const logFile = `${prefix}.ecf.log`;
  const logTail = (lines = 30): string =>
    `--- ${logFile}\n${tail(logFile, lines)}\n--- ${stdoutFile}\n${tail(stdoutFile, lines)}`;
  const client = (args: readonly string[], envPatch?: EnvPatch): Promise<RunResult> =>
    nsRun(spec.ns[host], [ECFLOW_CLIENT_BIN, '--host', host, '--port', String(port), ...args], {
      asUser: spec.op,
      cwd: ecfHome,
      env: { HOME: home, ...envPatch },
      timeoutMs: 30_000,
    });

  await waitListening(daemon.pid, port, spec.timeoutMs, () => logTail());
  for (let i = 0; ; i++) {
    const r = await client(['--ping']);
    if (answered(r)) break;
    if (i > 50 || !daemon.alive()) throw new Error(`ecflow_server ${host}:${port} does not answer: ${r.stderr}\n${logTail()}`);
    await new Promise((res) => setTimeout(res, 50));
  }
  for (const args of [[`--load=${defsFile}`], ['--begin'], ['--restart']]) {
    const r = await client(args);
    if (r.code !== 0) {
      throw new Error(`ecflow_client ${args.join(' ')} on ${host}:${port} failed: ${r.stderr}${r.stdout}\n${logTail()}`);
    }
  }
  // Hand over a known state: hello complete (its output exists), ticker active, fails aborted.
  const want: Record<string, string> = { hello: 'complete', ticker: 'active', fails: 'aborted' };
  const deadline = performance.now() + spec.timeoutMs;
  for (;;) {
    const r = await client([`--get_state=/${suite}`]);
    const states = new Map([...r.stdout.matchAll(/task (\w+) #.*?state:(\w+)/g)].map((m) => [m[1], m[2]]));
    if (Object.entries(want).every(([t, st]) => states.get(t) === st)) break;
    if (performance.now() > deadline || !daemon.alive()) {
      throw new Error(`jobs of ${host}:${port} did not reach ${JSON.stringify(want)}:\n${r.stdout}${r.stderr}\n${logTail()}`);
    }
    await new Promise((res) => setTimeout(res, 50));
  }
  return {
    name: spec.name,
    host,
    address: LAB_ADDRESSES[host],
    port,
    hostName: host,
    suite: `/${suite}`,
    ecfHome,
    pid: daemon.pid,
    logFile,
    stdoutFile,
    serverUser: spec.op.name,
    whiteListFile,
    user: spec.user,
    password: isA ? undefined : spec.password,
    customPasswdFile,
    logHost,
    logPort: LOG_PORT,
    clientPasswdLine(h, p) {
      if (isA) throw new Error('server A has no password file (a custom user with a password is refused there)');
      return `${spec.user} ${h} ${p} ${spec.password}\n`;
    },
    outputPath: (task, tryNo = 1) => join(ecfHome, suite, `${task}.${tryNo}`),
    client,
    logTail,
    alive: daemon.alive,
    daemon,
  };
}

/** Starts ecflow_logsvr on `host`:9316 serving `logPath`, as the server user. */
export async function startLogServer(
  host: 'logserver1' | 'logserver2',
  ns: LabNamespaces,
  dir: string,
  op: OsUser,
  logPath: readonly string[],
  timeoutMs: number,
): Promise<CentreLogServer> {
  const stdoutFile = join(dir, `${host}.stdout`);
  await writeFile(stdoutFile, '');
  const daemon = spawnDaemon(`ecflow_logsvr ${host}`, ns[host], [LOGSVR_BIN], {
    hostname: host,
    asUser: op,
    env: { LOGPORT: String(LOG_PORT), LOGPATH: logPath.join(':'), LOGMAP: undefined },
    cwd: logPath[0] ?? '/',
    outputFile: stdoutFile,
  });
  await waitListening(daemon.pid, LOG_PORT, timeoutMs, () => tail(stdoutFile, 20));
  const address = LAB_ADDRESSES[host];
  return { host, address, port: LOG_PORT, pid: daemon.pid, logPath, stdoutFile, alive: daemon.alive, daemon };
}
