/**
 * `ecflow-remote up`: start every route of the config, keep them healthy, check the servers, and
 * report. Writes `<runtime dir>/up.json` so that other commands use these routes; runs until
 * Ctrl-C / SIGTERM, then stops every ssh it started.
 */
import { EcflowError, ErrorCode, isEcflowError } from '../errors.js';
import { loadConfig, type LoadedConfig } from '../config/config.js';
import { Centre } from '../client/centre.js';
import { readUpStatus, removeUpStatus, writeUpStatus, type ServerCheck, type UpStatus } from '../client/up-status.js';
import type { RouteStatus } from '../transport/ssh-route.js';
import { openBrowser } from '../server/open-browser.js';
import { startUiServer, type UiServerHandle } from '../server/ui-server.js';
import type { CliIo } from './client-command.js';
import { ExitCode, exitCodeFor } from './exit-codes.js';
import { commonOptions, describeRoute, parseCommandArgs, type OptionSpec } from './command-args.js';

const OPTIONS: readonly OptionSpec[] = [
  ...commonOptions,
  { name: 'check-interval', value: 'SECONDS', summary: 'how often every server is checked (default 30)' },
  { name: 'login', summary: "run a route's login_command when its certificate has expired (needs a terminal)" },
  { name: 'no-ui', summary: 'do not serve the browser UI' },
  { name: 'no-open', summary: 'serve the browser UI but do not open a browser' },
  { name: 'ui-port', value: 'PORT', summary: 'port of the UI on 127.0.0.1 (default: [ui] port, else a free port)' },
];

export const UP_HELP = 'Usage: ecflow-remote up [options]\nStart the routes of the config, keep them healthy, check the servers.\n';

export async function runUpCommand(argv: readonly string[], io: CliIo, signal?: AbortSignal): Promise<number> {
  let json = false;
  try {
    const args = parseCommandArgs(argv, OPTIONS, UP_HELP);
    if ('help' in args) {
      io.stdout.write(args.help);
      return ExitCode.OK;
    }
    json = args.flags.has('json');
    const config = await loadConfig({ env: io.env, ...(args.values.get('config') === undefined ? {} : { path: args.values.get('config')! }) });
    if (Object.keys(config.routes).length === 0 && Object.keys(config.servers).length === 0) {
      throw new EcflowError(
        ErrorCode.CONFIG,
        `nothing to do: ${config.path} ${config.exists ? 'has no [routes.*] or [servers.*]' : 'does not exist'} (see the README for an example)`,
      );
    }
    const intervalText = args.values.get('check-interval') ?? '30';
    const intervalS = Number(intervalText);
    if (!(intervalS >= 1)) throw new EcflowError(ErrorCode.INVALID_ARGUMENT, `--check-interval: seconds >= 1, got '${intervalText}'`);
    const uiPort = args.values.get('ui-port');
    return await runUp(config, io, {
      json,
      intervalMs: intervalS * 1000,
      login: args.flags.has('login'),
      ui: !args.flags.has('no-ui'),
      // A browser is opened only for a person at a terminal (not from scripts or tests).
      open: !args.flags.has('no-open') && (io.stdout as { isTTY?: boolean }).isTTY === true,
      ...(uiPort === undefined ? {} : { uiPort: Number(uiPort) }),
      ...(signal ? { signal } : {}),
    });
  } catch (e) {
    io.stderr.write(`ecflow-remote up: ${e instanceof Error ? e.message : String(e)}\n`);
    return exitCodeFor(e);
  }
}

interface UpRun {
  readonly ui: boolean;
  readonly open: boolean;
  readonly uiPort?: number;
  readonly json: boolean;
  readonly intervalMs: number;
  readonly login: boolean;
  readonly signal?: AbortSignal;
}

async function runUp(config: LoadedConfig, io: CliIo, run: UpRun): Promise<number> {
  const say = (line: string, data: Record<string, unknown>) => {
    if (run.json) io.stdout.write(`${JSON.stringify({ at: new Date().toISOString(), ...data })}\n`);
    else io.stderr.write(`[${new Date().toLocaleTimeString()}] ${line}\n`);
  };
  const lastState = new Map<string, string>();
  const servers: Record<string, ServerCheck> = {};
  let writing = Promise.resolve();
  let centre: Centre | undefined;
  const startedAt = new Date().toISOString();
  let uiPort: number | undefined;
  const persist = () => {
    if (centre === undefined) return;
    const c = centre;
    const status: UpStatus = {
      version: 1,
      pid: process.pid,
      startedAt,
      updatedAt: new Date().toISOString(),
      configPath: config.path,
      routes: c.routeStatuses(),
      servers: { ...servers },
      ...(uiPort === undefined ? {} : { ui: { port: uiPort } }),
    };
    writing = writing.then(() => writeUpStatus(c.runtimeDir, status)).catch((e: unknown) => say(`cannot write the status file: ${String(e)}`, { event: 'error', message: String(e) }));
  };
  const onRouteStatus = (name: string, s: RouteStatus) => {
    persist();
    const key = `${s.state}|${s.lastError?.message ?? ''}|${s.socksPort ?? ''}`;
    if (lastState.get(name) === key) return;
    lastState.set(name, key);
    say(`route ${name}: ${describeRoute(s)}`, { event: 'route', route: name, status: s });
    if (s.state === 'up') void checkServers(name);
    if (s.state === 'needs-login' && run.login) void login(name);
  };
  const logins = new Set<string>();
  const login = async (name: string) => {
    if (logins.has(name) || centre === undefined) return;
    const route = config.routes[name];
    if (route?.loginCommand === undefined || !io.stdin.isTTY) return;
    logins.add(name);
    say(`route ${name}: running '${route.loginCommand}'`, { event: 'login', route: name });
    try {
      await centre.supervisor(name).login({ stdio: 'inherit' });
    } finally {
      logins.delete(name);
    }
  };

  centre = Centre.open({
    config,
    env: io.env as NodeJS.ProcessEnv,
    attach: false,
    onRouteStatus,
    onRouteLog: (name, line) => {
      if (/expire|certificate/i.test(line)) say(`route ${name}: ${line}`, { event: 'route-log', route: name, line });
    },
    onWarning: (m) => say(`warning: ${m}`, { event: 'warning', message: m }),
  });
  const running = readUpStatus(centre.runtimeDir);
  if (running !== undefined && running.pid !== process.pid) {
    throw new EcflowError(ErrorCode.INVALID_ARGUMENT, `ecflow-remote up is already running (pid ${running.pid}, config ${running.configPath})`);
  }

  const checking = new Set<string>();
  const checkServers = async (onlyRoute?: string) => {
    const c = centre;
    if (c === undefined) return;
    await Promise.all(
      Object.values(config.servers)
        .filter((s) => onlyRoute === undefined || s.route === onlyRoute)
        .map(async (s) => {
          if (checking.has(s.name)) return;
          checking.add(s.name);
          const address = `${s.host}:${s.port}`;
          const base = { name: s.name, address, ...(s.route === undefined ? {} : { route: s.route }), checkedAt: new Date().toISOString() };
          let check: ServerCheck;
          try {
            const version = await c.client(s.name).serverVersion({ timeoutMs: 15_000 });
            check = { ...base, reachable: true, version };
          } catch (e) {
            const error = isEcflowError(e) ? { code: e.code, message: e.message } : { code: 'BUG', message: String(e) };
            check = { ...base, reachable: error.code === ErrorCode.AUTH, error };
          } finally {
            checking.delete(s.name);
          }
          const before = servers[s.name];
          servers[s.name] = check;
          persist();
          if (before?.reachable !== check.reachable || before?.version !== check.version || before?.error?.message !== check.error?.message) {
            const via = s.route === undefined ? 'direct' : `via ${s.route}`;
            say(
              check.error === undefined
                ? `server ${s.name} (${address} ${via}): reachable, ecFlow ${check.version}`
                : `server ${s.name} (${address} ${via}): ${check.error.message}`,
              { event: 'server', server: check },
            );
          }
        }),
    );
  };

  say(`config ${config.path}; runtime ${centre.runtimeDir}`, { event: 'start', config: config.path, pid: process.pid });
  persist();
  centre.startAllRoutes();
  void checkServers();
  const timer = setInterval(() => void checkServers(), run.intervalMs);
  let ui: UiServerHandle | undefined;
  if (run.ui) {
    try {
      ui = await startUiServer({
        config,
        centre,
        env: io.env as NodeJS.ProcessEnv,
        ...(run.uiPort === undefined ? {} : { port: run.uiPort }),
        log: (line) => say(`ui: ${line}`, { event: 'ui-log', line }),
      });
      uiPort = ui.port;
      persist();
      io.stdout.write(run.json ? `${JSON.stringify({ event: 'ui', url: ui.url })}\n` : `ecflow-remote UI: ${ui.url}\n`);
      if (run.open && !(await openBrowser(ui.url))) say('could not open a browser: open the address above yourself', { event: 'ui-open-failed' });
    } catch (e) {
      say(`the UI could not start: ${e instanceof Error ? e.message : String(e)} (routes keep running)`, { event: 'ui-error' });
    }
  }

  const stopSignal = new AbortController();
  const onSignal = () => stopSignal.abort();
  // `on`, not `once`: a `once` listener is removed before it runs, so ssh-process.ts's own signal
  // handler would see itself alone and re-raise the signal, killing us before the stop below.
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);
  run.signal?.addEventListener('abort', onSignal, { once: true });
  try {
    await new Promise<void>((resolve) => stopSignal.signal.addEventListener('abort', () => resolve(), { once: true }));
  } finally {
    clearInterval(timer);
    process.off('SIGINT', onSignal);
    process.off('SIGTERM', onSignal);
    say('stopping', { event: 'stop' });
    await ui?.close().catch(() => undefined);
    const c = centre;
    centre = undefined;
    await c.stop();
    await writing;
    removeUpStatus(c.runtimeDir);
  }
  return ExitCode.OK;
}
