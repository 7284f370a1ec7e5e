/**
 * `ecflow-remote status`: what the running `ecflow-remote up` knows — per route: state, SOCKS port,
 * certificate expiry, last error; per server: reachable, version. Without a running `up`, servers
 * with a direct connection are checked now and routes are reported as not running.
 */
import { isEcflowError } from '../errors.js';
import { loadConfig } from '../config/config.js';
import { Centre } from '../client/centre.js';
import type { ServerCheck } from '../client/up-status.js';
import type { CliIo } from './client-command.js';
import { commonOptions, describeRoute, parseCommandArgs } from './command-args.js';
import { ExitCode, exitCodeFor } from './exit-codes.js';

const USAGE = 'Usage: ecflow-remote status [--json] [--config=FILE]\nRoutes and servers as `ecflow-remote up` sees them.\n';

export async function runStatusCommand(argv: readonly string[], io: CliIo): Promise<number> {
  try {
    const args = parseCommandArgs(argv, commonOptions, USAGE);
    if ('help' in args) {
      io.stdout.write(args.help);
      return ExitCode.OK;
    }
    const config = await loadConfig({ env: io.env, ...(args.values.get('config') === undefined ? {} : { path: args.values.get('config')! }) });
    const centre = Centre.open({ config, env: io.env as NodeJS.ProcessEnv });
    const up = centre.attachedTo;
    let servers: Record<string, ServerCheck>;
    if (up !== undefined) {
      servers = { ...up.servers };
    } else {
      servers = {};
      await Promise.all(
        Object.values(config.servers)
          .filter((s) => s.route === undefined)
          .map(async (s) => {
            const base = { name: s.name, address: `${s.host}:${s.port}`, checkedAt: new Date().toISOString() };
            try {
              servers[s.name] = { ...base, reachable: true, version: await centre.client(s.name).serverVersion({ timeoutMs: 10_000 }) };
            } catch (e) {
              servers[s.name] = { ...base, reachable: false, error: isEcflowError(e) ? { code: e.code, message: e.message } : { code: 'BUG', message: String(e) } };
            }
          }),
      );
    }
    const routes = centre.routeStatuses();
    if (args.flags.has('json')) {
      io.stdout.write(
        `${JSON.stringify({ up: up === undefined ? null : { pid: up.pid, startedAt: up.startedAt, updatedAt: up.updatedAt, configPath: up.configPath }, routes, servers })}\n`,
      );
      return ExitCode.OK;
    }
    let out = up === undefined ? `ecflow-remote up is not running (config ${config.path})\n` : `ecflow-remote up: pid ${up.pid} since ${new Date(up.startedAt).toLocaleString()} (config ${up.configPath})\n`;
    const routeNames = Object.keys(config.routes);
    if (routeNames.length > 0) out += '\nRoutes:\n';
    for (const name of routeNames) {
      const r = routes[name];
      out += `  ${name.padEnd(14)} ${r === undefined ? 'not running (start it with: ecflow-remote up)' : describeRoute(r)}\n`;
    }
    const serverNames = Object.keys(config.servers);
    if (serverNames.length > 0) out += '\nServers:\n';
    for (const name of serverNames) {
      const s = config.servers[name]!;
      const c = servers[name];
      const via = s.route === undefined ? 'direct' : `via ${s.route}`;
      const state =
        c === undefined ? (s.route !== undefined && up === undefined ? 'not checked (route not running)' : 'not checked yet') : c.error === undefined ? `reachable, ecFlow ${c.version}` : c.error.message;
      out += `  ${name.padEnd(14)} ${`${s.host}:${s.port}`.padEnd(22)} ${via.padEnd(14)} ${state}\n`;
    }
    io.stdout.write(out);
    return ExitCode.OK;
  } catch (e) {
    io.stderr.write(`ecflow-remote status: ${e instanceof Error ? e.message : String(e)}\n`);
    return exitCodeFor(e);
  }
}
