/**
 * What ecflow_ui gets for one configured server: its servers.txt line, its custom log server and
 * its passwd lines, with the forwards they need.
 *
 * Forward mode (default), server behind a route:
 *   servers.txt `localhost,<forwarded port>`; custom log server `127.0.0.1:<forwarded port>` to the
 *   configured `logserver`, else to the log server most of its tasks use (ECF_LOGHOST/ECF_LOGPORT,
 *   found by syncing the server's defs through the route).
 * Server without a route: its real host and port; a configured `logserver` as is.
 * Proxychains mode: real host names everywhere (proxychains4 carries ecflow_ui's connections, log
 *   servers included, through the route's SOCKS port); a configured `logserver` as is.
 */

import { EcflowError, ErrorCode } from '../errors.js';
import type { ServerConfig } from '../config/config.js';
import type { Centre } from '../client/centre.js';
import { ServerSession } from '../client/server-session.js';
import type { ForwardSet } from './forwards.js';
import { censusNote, logServerCensus } from './log-servers.js';
import { lookupPassword, type PasswdLine } from './passwd-files.js';
import type { UiServerEntry } from './servers-txt.js';

export type UiMode = 'forward' | 'proxychains';

export interface ServerPlan {
  readonly server: ServerConfig;
  readonly entry: UiServerEntry;
  /** For people: `localhost:41873 → machine1:4141 via centre`. */
  readonly address: string;
  /** The custom log server for ecflow_ui (absent: the tasks' ECF_LOGHOST/ECF_LOGPORT apply). */
  readonly logServer?: { readonly host: string; readonly port: number; readonly description: string };
  readonly customPasswd?: PasswdLine;
  readonly loginPasswd?: PasswdLine;
  /** Set when the server could not be prepared (it is listed with its real address). */
  readonly failed?: string;
}

export interface PlanContext {
  readonly centre: Centre;
  readonly forwards: ForwardSet;
  readonly mode: UiMode;
  /** The login name ecflow_ui will send (os login name, or --login-name). */
  readonly loginName: string;
  /** True when --login-name changed it (nss_wrapper). */
  readonly loginNameChanged?: boolean;
  readonly env: Readonly<Record<string, string | undefined>>;
  /** Notes and warnings for the user (one line each). */
  readonly note: (line: string) => void;
  readonly signal?: AbortSignal;
  /** Full-sync timeout when looking for log servers (default 120 s). */
  readonly syncTimeoutMs?: number;
}

const message = (e: unknown): string => (e instanceof Error ? e.message : String(e));

/** Plans one server; never throws for the server's own problems (they end in `failed` or a note). */
export async function planServer(ctx: PlanContext, s: ServerConfig): Promise<ServerPlan> {
  const forwarded = ctx.mode === 'forward' && s.route !== undefined;
  let entryHost = s.host;
  let entryPort = s.port;
  let address = `${s.host}:${s.port} ${s.route === undefined ? 'direct' : ctx.mode === 'proxychains' ? `via ${s.route} (proxychains)` : `via ${s.route}`}`;
  let failed: string | undefined;
  let logServer: ServerPlan['logServer'];
  if (forwarded) {
    try {
      entryPort = await ctx.forwards.get(s.route!, s.host, s.port);
      entryHost = 'localhost';
      address = `localhost:${entryPort} → ${s.host}:${s.port} via ${s.route}`;
    } catch (e) {
      failed = `no forward to ${s.host}:${s.port} through route ${s.route}: ${message(e)}`;
    }
  }
  if (failed === undefined) {
    try {
      logServer = await planLogServer(ctx, s, forwarded);
    } catch (e) {
      ctx.note(`server ${s.name}: no custom log server for ecflow_ui: ${message(e)}`);
    }
  }
  const entry: UiServerEntry = {
    name: s.name,
    host: entryHost,
    port: entryPort,
    favourite: s.favourite,
    ssl: s.ssl,
    ...(s.customUser === undefined ? {} : { user: s.customUser }),
  };
  const passwords = failed === undefined ? await planPasswords(ctx, s, entryHost, entryPort) : {};
  if (s.ssl && forwarded && failed === undefined) {
    ctx.note(
      `server ${s.name}: TLS through a forward: ecflow_ui trusts ~/.ecflowrc/ssl/server.crt, else <this host>.${entryPort}.crt ` +
        '(the port changes each run), so server.crt must be this server\'s certificate',
    );
  }
  return { server: s, entry, address, ...(logServer ? { logServer } : {}), ...passwords, ...(failed === undefined ? {} : { failed }) };
}

async function planLogServer(ctx: PlanContext, s: ServerConfig, forwarded: boolean): Promise<ServerPlan['logServer']> {
  if (!forwarded) {
    // Direct, or proxychains: ecflow_ui reaches ECF_LOGHOST itself; only an override is written.
    return s.logserver === undefined ? undefined : { ...s.logserver, description: `${s.logserver.host}:${s.logserver.port} (configured)` };
  }
  let target = s.logserver === undefined ? undefined : { ...s.logserver, why: 'configured' };
  if (target === undefined) {
    const session = new ServerSession(ctx.centre.client(s.name), { onWarning: () => undefined });
    try {
      await session.connect({ timeoutMs: ctx.syncTimeoutMs ?? 120_000, ...(ctx.signal ? { signal: ctx.signal } : {}) });
      const census = logServerCensus(session.defs!);
      const first = census.used[0];
      if (first === undefined) {
        if (census.without > 0) ctx.note(`server ${s.name}: its tasks name no usable log server (ECF_LOGHOST/ECF_LOGPORT); ecflow_ui will get output from the ecFlow server`);
        return undefined;
      }
      const note = censusNote(s.name, census);
      if (note !== undefined) ctx.note(note);
      target = { host: first.host, port: first.port, why: `ECF_LOGHOST/ECF_LOGPORT of ${first.nodes} task${first.nodes === 1 ? '' : 's'}` };
    } catch (e) {
      throw new EcflowError(ErrorCode.CONNECT, `cannot read its defs to find the log server its tasks use (${message(e)}); set logserver = "host:port" in the config`, { cause: e });
    } finally {
      await session.close().catch(() => undefined);
    }
  }
  const port = await ctx.forwards.get(s.route!, target.host, target.port);
  return { host: '127.0.0.1', port, description: `127.0.0.1:${port} → ${target.host}:${target.port} (${target.why})` };
}

async function planPasswords(ctx: PlanContext, s: ServerConfig, host: string, port: number): Promise<Pick<ServerPlan, 'customPasswd' | 'loginPasswd'>> {
  const warn = (m: string) => ctx.note(`warning: ${m}`);
  if (s.customUser !== undefined) {
    const file = s.passwordFile ?? nonEmpty(ctx.env['ECF_CUSTOM_PASSWD']);
    const found = file === undefined ? undefined : await lookupPassword(file, { user: s.customUser, host: s.host, port: s.port }, warn);
    if (found?.found) return { customPasswd: { user: s.customUser, host, port, password: found.password } };
    ctx.note(
      `server ${s.name}: custom user '${s.customUser}' has no password (${found === undefined ? 'no password_file, and ECF_CUSTOM_PASSWD is not set' : found.reason}); ` +
        'ecflow_ui will not send any request to it',
    );
    return {};
  }
  if (s.remoteUser === undefined && ctx.loginNameChanged) {
    ctx.note(`server ${s.name}: has no remote_user, yet ecflow_ui sends it the login name '${ctx.loginName}' too (--login-name is for the whole ecflow_ui)`);
  }
  const user = s.remoteUser ?? ctx.loginName;
  if (user !== ctx.loginName) {
    ctx.note(
      `server ${s.name}: remote_user '${user}' cannot be used by ecflow_ui: it always sends the login name ('${ctx.loginName}'), and a name in ` +
        "servers.txt's user column or ECF_USER makes a custom user that needs a password. The server will see " +
        `'${ctx.loginName}'. Workaround: --login-name=${user} (needs libnss-wrapper; one name for all servers)`,
    );
    return {};
  }
  const file = s.passwordFile ?? nonEmpty(ctx.env['ECF_PASSWD']);
  if (file === undefined) return {};
  const found = await lookupPassword(file, { user, host: s.host, port: s.port }, warn);
  if (found.found) return { loginPasswd: { user, host, port, password: found.password } };
  if (s.passwordFile !== undefined) ctx.note(`server ${s.name}: no password for '${user}' (${found.reason}); ecflow_ui sends none`);
  return {};
}

function nonEmpty(v: string | undefined): string | undefined {
  return v === undefined || v === '' ? undefined : v;
}
