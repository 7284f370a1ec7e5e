/**
 * `ecflow-remote ecflow-ui`: prepare a private config directory for the real (Qt) ecflow_ui, open the
 * forwards it needs, start `ecflow_ui -confd DIR`, keep the forwards while it runs, and on its exit
 * cancel them, stop the routes this process started and remove the passwd files.
 *
 * The steps (see the README next to this file for the formats and the findings behind them):
 *  1. plan every configured server (plan.ts): forwards through its route, its log server,
 *     its passwd lines;
 *  2. write servers.txt, per-server settings and a first session into the config directory, the
 *     passwd files into a per-run private folder (config-dir.ts, write-files.ts);
 *  3. spawn ecflow_ui (stdio inherited) with ECF_CUSTOM_PASSWD / ECF_PASSWD naming those files
 *     (never a password on a command line or in the environment), ECF_USER removed;
 *  4. wait; SIGINT/SIGTERM/SIGHUP are passed on to ecflow_ui's process group as SIGTERM (SIGKILL
 *     10 s later); then clean up. ecflow_ui runs in its own session, so the terminal's Ctrl-C
 *     reaches only us, and we end it.
 *
 * `--proxychains` first runs the self-test of proxychains.ts and falls back to forwards (saying
 * why) when it fails, as it does on Linux with Debian's proxychains4.
 */

import { spawn, type ChildProcess } from 'node:child_process';
import { rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { EcflowError, ErrorCode } from '../errors.js';
import type { LoadedConfig, ServerConfig } from '../config/config.js';
import { Centre } from '../client/centre.js';
import { signalProcess, USE_PROCESS_GROUPS } from '../transport/ssh-process.js';
import { currentSessionName, defaultUiConfigDir, makeRunDir, openUiConfigDir } from './config-dir.js';
import { ForwardSet } from './forwards.js';
import { checkLoginName, findNssWrapper, nssWrapperEnv, nssWrapperFiles, osLoginName } from './login-name.js';
import { planServer, type ServerPlan, type UiMode } from './plan.js';
import { PROXYCHAINS, proxychainsConf, proxychainsSelfTest } from './proxychains.js';
import { writePasswdFiles, writeUiConfig } from './write-files.js';

/** Names the ecflow_ui program (tests use a stand-in); default `ecflow_ui` from PATH. */
export const ECFLOW_UI_ENV = 'ECFLOW_REMOTE_ECFLOW_UI';

export interface EcflowUiOptions {
  readonly config: LoadedConfig;
  readonly env: Readonly<Record<string, string | undefined>>;
  readonly stderr: NodeJS.WritableStream;
  /** The ecflow_ui config directory; default defaultUiConfigDir(config.path). */
  readonly confd?: string;
  readonly proxychains: boolean;
  /** Make ecflow_ui's login name this (nss_wrapper), see login-name.ts. */
  readonly loginName?: string;
  /** Passed to ecflow_ui after ours. */
  readonly extraArgs: readonly string[];
  readonly signal?: AbortSignal;
}

/** Options of ecflow_ui's start script that we set ourselves. */
const RESERVED_ARGS = ['-confd', '-cmd', '-pc4'];

/** Runs ecflow_ui; resolves with the exit code for the CLI. */
export async function runEcflowUi(o: EcflowUiOptions): Promise<number> {
  const servers = Object.values(o.config.servers);
  if (servers.length === 0) {
    throw new EcflowError(ErrorCode.CONFIG, `no servers: ${o.config.path} ${o.config.exists ? 'has no [servers.*] tables' : 'does not exist'}`);
  }
  const reserved = o.extraArgs.find((a) => RESERVED_ARGS.includes(a));
  if (reserved !== undefined) throw new EcflowError(ErrorCode.INVALID_ARGUMENT, `'${reserved}' is set by ecflow-remote; leave it out of the ecflow_ui arguments`);
  const say = (line: string) => o.stderr.write(`${line}\n`);
  const notes: string[] = [];
  const note = (line: string) => {
    if (!notes.includes(line)) notes.push(line);
  };

  let loginName = osLoginName();
  let nss: { library: string } | undefined;
  if (o.loginName !== undefined) {
    const problem = checkLoginName(o.loginName);
    if (problem !== undefined) throw new EcflowError(ErrorCode.INVALID_ARGUMENT, `--login-name: ${problem}`);
    const library = findNssWrapper(o.env);
    if (library === undefined) throw new EcflowError(ErrorCode.INVALID_ARGUMENT, '--login-name needs libnss_wrapper.so (Debian package libnss-wrapper)');
    nss = { library };
    loginName = o.loginName;
  }

  const centre = Centre.open({
    config: o.config,
    env: o.env as NodeJS.ProcessEnv,
    onWarning: (m) => note(`warning: ${m}`),
    onRouteLog: (route, line) => {
      if (/expire|certificate/i.test(line)) say(`route ${route}: ${line}`);
    },
  });
  const ui = openUiConfigDir(o.confd ?? defaultUiConfigDir(o.config.path));
  const runDir = makeRunDir(centre.runtimeDir);
  const onExit = () => {
    rmSync(runDir, { recursive: true, force: true });
    ui.release();
  };
  process.on('exit', onExit);
  const forwards = new ForwardSet(centre);
  const aborter = new AbortController();
  let child: ChildProcess | undefined;
  let signalled = false;
  const onSignal = () => {
    signalled = true;
    aborter.abort(new EcflowError(ErrorCode.CANCELLED, 'interrupted'));
    const pid = child?.pid;
    if (pid === undefined || child?.exitCode !== null || child.signalCode !== null) return;
    // The whole group: ecflow_ui's start script only acts on a signal after ecflow_ui.x has exited.
    signalProcess(pid, 'SIGTERM');
    setTimeout(() => signalProcess(pid, 'SIGKILL'), 10_000).unref();
  };
  const signals = ['SIGINT', 'SIGTERM', 'SIGHUP'] as const;
  for (const s of signals) process.on(s, onSignal);
  o.signal?.addEventListener('abort', onSignal, { once: true });
  try {
    const env: NodeJS.ProcessEnv = { ...(o.env as NodeJS.ProcessEnv) };
    let mode: UiMode = 'forward';
    let socksPort: number | undefined;
    if (o.proxychains) {
      const pc = await proxychainsCheck(centre, servers, runDir, env, say);
      if (pc.ok) {
        mode = 'proxychains';
        socksPort = pc.socksPort;
        env['PROXYCHAINS_CONF_FILE'] = pc.confFile;
        say(`--proxychains: self-test passed: ${pc.summary}`);
      } else {
        say(`--proxychains refused: ${pc.summary}. ecflow_ui gets local forwards instead (the default mode).`);
      }
    }

    const ctx = { centre, forwards, mode, loginName, loginNameChanged: nss !== undefined, env: o.env, note, signal: aborter.signal };
    const plans = await Promise.all(servers.map((s) => planServer(ctx, s)));
    if (aborter.signal.aborted) throw aborter.signal.reason;
    const failed = plans.filter((p) => p.failed !== undefined);
    if (failed.length === plans.length) {
      throw new EcflowError(ErrorCode.CONNECT, `no server could be prepared for ecflow_ui:\n${failed.map((p) => `  ${p.server.name}: ${p.failed}`).join('\n')}`);
    }

    const session = currentSessionName(ui.dir);
    const written = await writeUiConfig(ui.dir, session, plans, { ...(socksPort === undefined ? {} : { socksPort }), note });
    const passwd = await writePasswdFiles(runDir, plans);
    if (passwd.custom !== undefined) env['ECF_CUSTOM_PASSWD'] = passwd.custom;
    if (passwd.login !== undefined) env['ECF_PASSWD'] = passwd.login;
    if (env['ECF_USER'] !== undefined) {
      note(`ECF_USER (${env['ECF_USER']}) is not passed to ecflow_ui: it would make every server without a custom user use it as a custom user`);
      delete env['ECF_USER'];
    }
    if (nss !== undefined) {
      const files = nssWrapperFiles(loginName);
      const passwdFile = join(runDir, 'nss_passwd');
      const groupFile = join(runDir, 'nss_group');
      writeFileSync(passwdFile, files.passwd, { mode: 0o600 });
      writeFileSync(groupFile, files.group, { mode: 0o600 });
      Object.assign(env, nssWrapperEnv(nss.library, passwdFile, groupFile, env['LD_PRELOAD']));
    }

    say(`ecflow_ui config directory: ${ui.dir} (session '${session}'${written.sessionJsonCreated ? ', first session written' : ''})`);
    for (const p of plans) say(describePlan(p, passwd, nss !== undefined ? loginName : undefined));
    for (const n of notes) say(`note: ${n}`);

    const program = nonEmpty(o.env[ECFLOW_UI_ENV]) ?? 'ecflow_ui';
    const args = ['-confd', ui.dir, ...(mode === 'proxychains' ? ['-cmd', PROXYCHAINS] : []), ...o.extraArgs];
    say(`starting: ${program} ${args.join(' ')}${forwards.list().length > 0 ? ' (the forwards stay open until it exits)' : ''}`);
    forwards.watch((line) => say(line));
    if (aborter.signal.aborted) throw aborter.signal.reason;
    const result = await new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve, reject) => {
      // Its own process group (and session), so that a signal reaches ecflow_ui.x behind the script.
      const c = spawn(program, args, { stdio: 'inherit', env, detached: USE_PROCESS_GROUPS });
      child = c;
      c.once('error', (e: NodeJS.ErrnoException) =>
        reject(
          e.code === 'ENOENT'
            ? new EcflowError(ErrorCode.INVALID_ARGUMENT, `${program} not found: install ecFlow's ecflow_ui (Debian package ecflow-client), or name it with ${ECFLOW_UI_ENV}`)
            : new EcflowError(ErrorCode.INVALID_ARGUMENT, `cannot start ${program}: ${e.message}`),
        ),
      );
      c.once('exit', (code, sig) => resolve({ code, signal: sig }));
    });
    say(`ecflow_ui exited (${result.code === null ? `signal ${result.signal}` : `code ${result.code}`}); closing the forwards`);
    if (signalled) return 130;
    return result.code ?? 1;
  } finally {
    for (const s of signals) process.off(s, onSignal);
    const problems = await forwards.cancelAll();
    for (const p of problems) say(`warning: ${p}`);
    await centre.stop();
    onExit();
    process.off('exit', onExit);
  }
}

function describePlan(p: ServerPlan, passwd: { custom?: string; login?: string }, wrappedLogin: string | undefined): string {
  if (p.failed !== undefined) return `  ${p.server.name.padEnd(12)} NOT READY: ${p.failed} (listed with its real address)`;
  const parts = [p.address];
  if (p.logServer !== undefined) parts.push(`log server ${p.logServer.description}`);
  if (p.entry.user !== undefined) parts.push(`custom user ${p.entry.user}${p.customPasswd ? ' (password in the ECF_CUSTOM_PASSWD file)' : ' (NO password)'}`);
  else if (wrappedLogin !== undefined) parts.push(`login name ${wrappedLogin} (nss_wrapper)`);
  if (p.loginPasswd !== undefined && passwd.login !== undefined) parts.push('password in the ECF_PASSWD file');
  return `  ${p.server.name.padEnd(12)} ${parts.join('; ')}`;
}

type ProxychainsCheck = { ok: true; socksPort: number; confFile: string; summary: string } | { ok: false; summary: string };

async function proxychainsCheck(
  centre: Centre,
  servers: readonly ServerConfig[],
  runDir: string,
  env: NodeJS.ProcessEnv,
  say: (line: string) => void,
): Promise<ProxychainsCheck> {
  const routes = new Set(servers.map((s) => s.route));
  if (routes.has(undefined)) {
    const direct = servers.filter((s) => s.route === undefined).map((s) => s.name);
    return { ok: false, summary: `server(s) ${direct.join(', ')} have no route, and proxychains4 would send them through a route's SOCKS port too` };
  }
  if (routes.size !== 1) return { ok: false, summary: `the servers use ${routes.size} routes (${[...routes].join(', ')}); proxychains4 takes one SOCKS proxy` };
  const route = [...routes][0]!;
  let socksPort: number | undefined;
  try {
    const attached = centre.attachedTo;
    if (attached !== undefined) {
      const r = attached.routes[route];
      if (r === undefined || r.state !== 'up') throw new Error(`route ${route} of ecflow-remote up (pid ${attached.pid}) is ${r?.state ?? 'missing'}`);
      socksPort = r.socksPort;
    } else {
      const supervisor = centre.supervisor(route);
      await supervisor.waitUntilUp();
      socksPort = supervisor.status().socksPort;
    }
  } catch (e) {
    return { ok: false, summary: `route ${route} is not up: ${e instanceof Error ? e.message : String(e)}` };
  }
  if (socksPort === undefined) return { ok: false, summary: `route ${route} has no SOCKS port` };
  const confFile = join(runDir, 'proxychains.conf');
  writeFileSync(confFile, proxychainsConf(socksPort), { mode: 0o600 });
  const target = servers[0]!;
  say(`--proxychains: self-test: ${PROXYCHAINS} ecflow_client --host ${target.host} --port ${target.port} --ping (at most 10 s) ...`);
  const r = await proxychainsSelfTest({ confFile, host: target.host, port: target.port, ssl: target.ssl, env });
  return r.ok ? { ok: true, socksPort, confFile, summary: r.summary } : { ok: false, summary: `the self-test '${r.command}' failed: ${r.summary}` };
}

function nonEmpty(v: string | undefined): string | undefined {
  return v === undefined || v === '' ? undefined : v;
}
