/**
 * `ecflow-remote doctor`: checks the config, OpenSSH, every route (ssh -G, certificate, bringing it
 * up), every server (reachable, version, who we are to it) and every log server its tasks use, and
 * says in plain words what is wrong and how to fix it. Exit 0 when all is well, 1 otherwise.
 */
import { isEcflowError, ErrorCode, type EcflowError } from '../errors.js';
import { loadConfig, type LoadedConfig, type ServerConfig } from '../config/config.js';
import { Centre } from '../client/centre.js';
import { ServerSession } from '../client/server-session.js';
import { LogServerClient } from '../logserver/log-server-client.js';
import { isLogServerLocation, logServerFor } from '../logserver/output-path.js';
import { Submittable, type Node } from '../model/node.js';
import { findCertificate, certificateExpired } from '../transport/ssh-certificate.js';
import { resolveRoute } from '../transport/ssh-resolve.js';
import { runProgram } from '../transport/ssh-process.js';
import type { CliIo } from './client-command.js';
import { commonOptions, describeRoute, parseCommandArgs } from './command-args.js';
import { ExitCode } from './exit-codes.js';

const USAGE = 'Usage: ecflow-remote doctor [--config=FILE] [--json]\nCheck routes, servers and log servers; say what is wrong and how to fix it.\n';

type Verdict = 'ok' | 'warn' | 'fail';
interface Finding {
  readonly subject: string;
  readonly verdict: Verdict;
  readonly what: string;
  readonly fix?: string;
}

const MARK: Record<Verdict, string> = { ok: '✓', warn: '!', fail: '✗' };

export async function runDoctorCommand(argv: readonly string[], io: CliIo): Promise<number> {
  const findings: Finding[] = [];
  let json = false;
  const add = (f: Finding) => {
    findings.push(f);
    if (!json) io.stdout.write(`${MARK[f.verdict]} ${f.subject}: ${f.what}\n${f.fix ? `    fix: ${f.fix}\n` : ''}`);
  };
  let centre: Centre | undefined;
  try {
    const args = parseCommandArgs(argv, commonOptions, USAGE);
    if ('help' in args) {
      io.stdout.write(args.help);
      return ExitCode.OK;
    }
    json = args.flags.has('json');
    let config: LoadedConfig;
    try {
      config = await loadConfig({ env: io.env, ...(args.values.get('config') === undefined ? {} : { path: args.values.get('config')! }) });
    } catch (e) {
      add({ subject: 'config', verdict: 'fail', what: e instanceof Error ? e.message : String(e), fix: 'correct the file at the line named' });
      return finish(io, findings, json);
    }
    const nRoutes = Object.keys(config.routes).length;
    const nServers = Object.keys(config.servers).length;
    add(
      config.exists
        ? { subject: 'config', verdict: nServers > 0 ? 'ok' : 'warn', what: `${config.path}: ${nRoutes} route(s), ${nServers} server(s)`, ...(nServers > 0 ? {} : { fix: 'add [servers.NAME] tables (see the README)' }) }
        : { subject: 'config', verdict: 'warn', what: `${config.path} does not exist`, fix: 'create it (see the README for an example) or name one with --config' },
    );
    if (nRoutes > 0) await checkOpenSsh(add);
    centre = Centre.open({ config, env: io.env as NodeJS.ProcessEnv });
    if (centre.attachedTo !== undefined) {
      add({ subject: 'ecflow-remote up', verdict: 'ok', what: `running (pid ${centre.attachedTo.pid}); its routes are used` });
    }
    const downRoutes = new Set<string>();
    for (const name of Object.keys(config.routes)) {
      if (!(await checkRoute(centre, name, io, add))) downRoutes.add(name);
    }
    for (const s of Object.values(config.servers)) {
      if (s.route !== undefined && downRoutes.has(s.route)) {
        add({ subject: `server ${s.name} (${s.host}:${s.port} via ${s.route})`, verdict: 'fail', what: `not checked: route ${s.route} is not up`, fix: 'fix the route first (above)' });
      } else {
        await checkServer(centre, s, add);
      }
    }
    return finish(io, findings, json);
  } finally {
    await centre?.stop();
  }
}

function finish(io: CliIo, findings: readonly Finding[], json: boolean): number {
  const problems = findings.filter((f) => f.verdict === 'fail').length;
  const warnings = findings.filter((f) => f.verdict === 'warn').length;
  if (json) io.stdout.write(`${JSON.stringify({ ok: problems === 0, problems, warnings, findings })}\n`);
  else io.stdout.write(problems === 0 ? `\nAll good${warnings ? ` (${warnings} warning(s))` : ''}.\n` : `\n${problems} problem(s), ${warnings} warning(s).\n`);
  return problems === 0 ? ExitCode.OK : 1;
}

async function checkOpenSsh(add: (f: Finding) => void): Promise<void> {
  const r = await runProgram('ssh', ['-V'], { timeoutMs: 10_000 });
  if (r.spawnError) {
    add({ subject: 'OpenSSH', verdict: 'fail', what: `cannot run ssh: ${r.spawnError.message}`, fix: 'install the OpenSSH client (Windows: the optional feature "OpenSSH Client")' });
  } else {
    add({ subject: 'OpenSSH', verdict: 'ok', what: (r.stderr || r.stdout).trim().split('\n')[0] ?? 'found' });
  }
}

/** Checks one route; true when it is up. */
async function checkRoute(centre: Centre, name: string, io: CliIo, add: (f: Finding) => void): Promise<boolean> {
  const route = centre.routeConfig(name);
  const subject = `route ${name}`;
  let resolved;
  try {
    resolved = await resolveRoute(
      { destination: route.destination, ...(route.jump.length > 0 ? { jump: route.jump } : {}), ...(route.sshConfig ? { configFile: route.sshConfig } : {}) },
      { env: io.env as NodeJS.ProcessEnv },
    );
    const d = resolved[0]!;
    const via = d.proxyJump.length > 0 ? ` via ${d.proxyJump.join(', ')}` : d.proxyCommand ? ' via ProxyCommand' : ' (no jump host)';
    add({ subject, verdict: 'ok', what: `ssh goes to ${d.user ? `${d.user}@` : ''}${d.hostname}:${d.port}${via}` });
  } catch (e) {
    add({ subject, verdict: 'fail', what: (e as Error).message, fix: `check destination/jump of [routes.${name}] and ${route.sshConfig ?? '~/.ssh/config'}` });
    return false;
  }
  const cert = await findCertificate({
    resolved,
    ...(route.certificateFile ? { certificateFile: route.certificateFile } : {}),
    ...(route.identityFile ? { identityFile: route.identityFile } : {}),
  }).catch(() => undefined);
  if (cert === undefined) {
    add({ subject, verdict: 'ok', what: 'no SSH certificate in use (plain keys)' });
  } else if (certificateExpired(cert)) {
    add({
      subject,
      verdict: 'fail',
      what: `certificate ${cert.path} expired at ${cert.validTo?.toLocaleString()}`,
      fix: route.loginCommand ? `run: ${route.loginCommand}` : 'log in again to get a new certificate (e.g. tsh login), or set login_command',
    });
  } else {
    const left = cert.validTo === null ? undefined : Math.round((cert.validTo.getTime() - Date.now()) / 60_000);
    add({
      subject,
      verdict: left !== undefined && left < 60 ? 'warn' : 'ok',
      what: `certificate ${cert.path} ${left === undefined ? 'never expires' : `valid until ${cert.validTo!.toLocaleString()} (${left} min left)`}`,
      ...(left !== undefined && left < 60 ? { fix: `renew soon${route.loginCommand ? `: ${route.loginCommand}` : ''}` } : {}),
    });
  }
  const up = centre.attachedTo?.routes[name];
  if (up !== undefined) {
    add({ subject, verdict: up.state === 'up' ? 'ok' : 'fail', what: `in ecflow-remote up: ${describeRoute(up)}` });
    return up.state === 'up';
  }
  const supervisor = centre.supervisor(name);
  const t0 = Date.now();
  try {
    await supervisor.waitUntilUp(30_000);
    add({ subject, verdict: 'ok', what: `came up in ${((Date.now() - t0) / 1000).toFixed(1)} s (${describeRoute(supervisor.status())})` });
    return true;
  } catch {
    const s = supervisor.status();
    add({ subject, verdict: 'fail', what: describeRoute(s), fix: routeFix(s.state, s.lastError?.kind, route.loginCommand) });
    return false;
  }
}

function routeFix(state: string, kind: string | undefined, login: string | undefined): string {
  if (state === 'needs-login') return login ? `run: ${login}` : 'log in again (e.g. tsh login) or check that your key/certificate is accepted';
  if (kind === 'hostkey') return 'the host key differs from known_hosts: confirm the new key with your centre before updating known_hosts';
  if (kind === 'dns' || kind === 'network') return 'check your network connection and the jump host name';
  return 'see the ssh messages above (ecflow-remote up shows them as they happen)';
}

async function checkServer(centre: Centre, s: ServerConfig, add: (f: Finding) => void): Promise<void> {
  const subject = `server ${s.name} (${s.host}:${s.port}${s.route ? ` via ${s.route}` : ''})`;
  const client = centre.client(s.name);
  let version: string;
  try {
    version = await client.serverVersion({ timeoutMs: 20_000 });
    const who = s.customUser ? `custom user '${s.customUser}'` : `user '${(await client.identity()).user}'`;
    add({ subject, verdict: 'ok', what: `reachable, ecFlow ${version}, accepted as ${who}` });
  } catch (e) {
    add({ subject, verdict: 'fail', what: isEcflowError(e) ? e.message : String(e), fix: serverFix(e, s) });
    return;
  }
  // Log servers: the configured one, else every ECF_LOGHOST/ECF_LOGPORT the tasks use.
  const logServers = new Map<string, { host: string; port: number; tasks: number }>();
  if (s.logserver !== undefined) {
    logServers.set(`${s.logserver.host}:${s.logserver.port}`, { ...s.logserver, tasks: 0 });
  } else {
    const session = new ServerSession(client, s.suites ? { suites: s.suites } : {});
    try {
      await session.connect({ timeoutMs: 120_000 });
      session.defs!.forEachNode((node: Node) => {
        if (!(node instanceof Submittable)) return;
        const where = logServerFor(node);
        if (!isLogServerLocation(where)) return;
        const key = `${where.host}:${where.port}`;
        const entry = logServers.get(key) ?? { host: where.host, port: where.port, tasks: 0 };
        entry.tasks++;
        logServers.set(key, entry);
      });
    } catch (e) {
      add({ subject, verdict: 'warn', what: `could not read the suites to find log servers: ${(e as Error).message}` });
    } finally {
      await session.close().catch(() => undefined);
    }
    if (logServers.size === 0) add({ subject, verdict: 'ok', what: 'no task names a log server (ECF_LOGHOST/ECF_LOGPORT): output comes from the ecFlow server' });
  }
  const connector = centre.routeConnector(s.route);
  for (const [key, ls] of logServers) {
    const lsc = new LogServerClient({ host: ls.host, port: ls.port, timeoutMs: 10_000, ...(connector ? { connector } : {}) });
    const used = ls.tasks > 0 ? `, used by ${ls.tasks} task(s)` : ' (configured)';
    try {
      const v = await lsc.version();
      add({ subject, verdict: 'ok', what: `log server ${key} answers (protocol ${v})${used}` });
    } catch (e) {
      add({
        subject,
        verdict: 'warn',
        what: `log server ${key}${used}: ${(e as Error).message}`,
        fix: 'output will come from the ecFlow server instead (current try only); check ECF_LOGHOST/ECF_LOGPORT or set logserver = "host:port"',
      });
    }
  }
}

function serverFix(e: unknown, s: ServerConfig): string {
  const err = e as EcflowError;
  switch (err.code) {
    case ErrorCode.AUTH:
      return s.customUser
        ? 'the server refused the custom user: check password_file and that the server lists the user'
        : `the server does not accept this user name: set remote_user = "<your centre user>" in [servers.${s.name}]`;
    case ErrorCode.PASSWORD:
      return `give the password: password_file = "<ecFlow passwd file>" in [servers.${s.name}]`;
    case ErrorCode.TLS:
      return s.ssl ? "put the server's certificate in ~/.ecflowrc/ssl/ (server.crt or <host>.<port>.crt)" : 'the server may need TLS: ssl = true';
    case ErrorCode.CONNECTION_CLOSED:
      return s.ssl ? 'the server closed the connection: it may not use TLS (ssl = false)' : 'the server closed the connection: it may need TLS (ssl = true)';
    case ErrorCode.TIMEOUT:
    case ErrorCode.CONNECT:
      return s.route ? `is ${s.host}:${s.port} right, and is the server running? (the route itself is checked above)` : `is ${s.host}:${s.port} reachable from here? Centre servers need route = "<route>"`;
    default:
      return 'see the message above';
  }
}
