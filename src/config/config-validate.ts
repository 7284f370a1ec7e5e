/**
 * From a parsed TOML document (smol-toml, integers as bigint) to the typed configuration, or to
 * the list of mistakes (each with its key path; config.ts turns the first one into the message).
 *
 * Checked: unknown keys and tables (with a "did you mean"), types, port ranges, names, a server
 * naming an unknown route, and values that would be dangerous on an ssh command line (a
 * destination starting with '-').
 */

import { homedir as osHomedir } from 'node:os';
import { isAbsolute, resolve } from 'node:path';
import { suggest, tomlTypeName } from './config-errors.js';
import {
  DEFAULT_ECFLOW_PORT,
  NAME_PATTERN,
  type EcflowRemoteConfig,
  type LogServerAddress,
  type RouteConfig,
  type ServerConfig,
  type UiConfig,
} from './config-types.js';
import type { KeyPath } from './toml-locate.js';

/** One mistake: where (key path) and what. */
export interface ConfigIssue {
  readonly path: KeyPath;
  readonly text: string;
  /** A missing key: reported only when nothing else is wrong (a typo of it explains it better). */
  readonly missing?: boolean;
}

export interface ValidateContext {
  /** Folder relative paths are taken from (the config file's). */
  readonly baseDir: string;
  /** For `~/` (default os.homedir()). */
  readonly homedir?: string;
}

export const TOP_KEYS = ['routes', 'servers', 'ui'] as const;
export const ROUTE_KEYS = ['destination', 'jump', 'ssh_config', 'login_command', 'socks_port', 'identity_file', 'certificate_file'] as const;
export const SERVER_KEYS = [
  'host',
  'port',
  'route',
  'remote_user',
  'custom_user',
  'password_file',
  'ssl',
  'logserver',
  'favourite',
  'read_only',
  'suites',
] as const;
export const UI_KEYS = ['port'] as const;

type Table = Record<string, unknown>;

function isTable(v: unknown): v is Table {
  return typeof v === 'object' && v !== null && !Array.isArray(v) && tomlTypeName(v) === 'a table';
}

/** No white space or control characters, not empty. */
const TOKEN = /^[^\s\p{Cc}]+$/u;

class Checker {
  readonly issues: ConfigIssue[] = [];
  constructor(private readonly ctx: ValidateContext) {}

  add(path: KeyPath, text: string): undefined {
    this.issues.push({ path, text });
    return undefined;
  }

  missing(path: KeyPath, text: string): void {
    this.issues.push({ path, text, missing: true });
  }

  /** Unknown keys of `table` (at `path`) become issues. */
  keys(table: Table, path: KeyPath, known: readonly string[], what = 'key'): void {
    for (const key of Object.keys(table)) {
      if (known.includes(key)) continue;
      const hint = suggest(key, known);
      this.add(
        [...path, key],
        hint !== undefined ? `unknown ${what}; did you mean '${hint}'?` : `unknown ${what} (known: ${known.join(', ')})`,
      );
    }
  }

  table(value: unknown, path: KeyPath, example: string): Table | undefined {
    if (isTable(value)) return value;
    return this.add(path, `expected a table (${example}), found ${tomlTypeName(value)}`);
  }

  string(table: Table, key: string, path: KeyPath, rule: 'token' | 'text' = 'token'): string | undefined {
    return this.stringValue(table[key], [...path, key], rule);
  }

  stringValue(value: unknown, at: KeyPath, rule: 'token' | 'text' = 'token'): string | undefined {
    if (value === undefined) return undefined;
    if (typeof value !== 'string') return this.add(at, `expected a string, found ${tomlTypeName(value)}`);
    if (value === '') return this.add(at, 'must not be empty');
    if (/\p{Cs}/u.test(value)) return this.add(at, 'is not valid Unicode text');
    if (rule === 'token' && !TOKEN.test(value)) return this.add(at, 'must not contain white space or control characters');
    if (rule === 'text' && /\p{Cc}/u.test(value.replace(/\t/g, ''))) return this.add(at, 'must not contain control characters');
    return value;
  }

  /** An ssh argument (destination, jump host): also no leading '-' and no ','. */
  sshHost(value: string | undefined, at: KeyPath): string | undefined {
    if (value === undefined) return undefined;
    if (value.startsWith('-')) return this.add(at, "must not start with '-' (it would be read as an ssh option)");
    if (value.includes(',')) return this.add(at, "must not contain ',' (list jump hosts as separate array elements)");
    return value;
  }

  path(table: Table, key: string, path: KeyPath): string | undefined {
    const value = this.string(table, key, path, 'text');
    return value === undefined ? undefined : expandPath(value, this.ctx);
  }

  boolean(table: Table, key: string, path: KeyPath): boolean | undefined {
    const value = table[key];
    if (value === undefined) return undefined;
    if (typeof value !== 'boolean') return this.add([...path, key], `expected true or false, found ${tomlTypeName(value)}`);
    return value;
  }

  port(table: Table, key: string, path: KeyPath): number | undefined {
    const value = table[key];
    if (value === undefined) return undefined;
    const at = [...path, key];
    if (typeof value !== 'bigint') return this.add(at, `expected an integer from 1 to 65535, found ${tomlTypeName(value)}`);
    if (value < 1n || value > 65535n) return this.add(at, `${value} is out of range (1 to 65535)`);
    return Number(value);
  }

  stringArray(table: Table, key: string, path: KeyPath, example: string): string[] | undefined {
    const value = table[key];
    if (value === undefined) return undefined;
    const at = [...path, key];
    if (!Array.isArray(value)) return this.add(at, `expected an array of strings (${example}), found ${tomlTypeName(value)}`);
    const out: string[] = [];
    value.forEach((element: unknown, i) => {
      const s = this.stringValue(element, [...at, i]);
      if (s !== undefined) out.push(s);
    });
    return out.length === value.length ? out : undefined;
  }

  name(name: string, path: KeyPath, what: string): boolean {
    if (NAME_PATTERN.test(name)) return true;
    this.add(path, `invalid ${what} name: use letters, digits, '-', '_' and '.' (at most 64, starting with a letter or digit)`);
    return false;
  }
}

/** `~` and `~/x` → home; relative → against the config file's folder. */
export function expandPath(value: string, ctx: ValidateContext): string {
  const home = ctx.homedir ?? osHomedir();
  if (value === '~') return home;
  if (value.startsWith('~/')) return resolve(home, value.slice(2));
  return isAbsolute(value) ? resolve(value) : resolve(ctx.baseDir, value);
}

/** `host:port` or `[v6]:port`. */
export function parseLogServer(text: string): LogServerAddress | undefined {
  const m = /^(?:\[([^\]\s]+)\]|([^:\s\[\]]+)):(\d{1,5})$/.exec(text);
  if (!m) return undefined;
  const port = Number(m[3]);
  const host = m[1] ?? m[2] ?? '';
  if (port < 1 || port > 65535 || host === '' || host.startsWith('-')) return undefined;
  return { host, port };
}

function route(c: Checker, name: string, value: unknown): RouteConfig | undefined {
  const path = ['routes', name];
  const t = c.table(value, path, `[routes.${name}]`);
  if (t === undefined || !c.name(name, path, 'route')) return undefined;
  c.keys(t, path, ROUTE_KEYS);
  const destination = c.sshHost(c.string(t, 'destination', path), [...path, 'destination']);
  if (t['destination'] === undefined) c.missing(path, "missing required key 'destination' (as ssh takes it, e.g. \"user@workstation\")");
  const jumpList = c.stringArray(t, 'jump', path, 'jump = ["user@jump"]');
  const jump = jumpList?.map((j, i) => c.sshHost(j, [...path, 'jump', i]));
  const out: RouteConfig = {
    name,
    destination: destination ?? '',
    jump: (jump ?? []).filter((j): j is string => j !== undefined),
    ...opt('sshConfig', c.path(t, 'ssh_config', path)),
    ...opt('loginCommand', c.string(t, 'login_command', path, 'text')),
    ...opt('socksPort', c.port(t, 'socks_port', path)),
    ...opt('identityFile', c.path(t, 'identity_file', path)),
    ...opt('certificateFile', c.path(t, 'certificate_file', path)),
  };
  return out;
}

function server(c: Checker, name: string, value: unknown, routeNames: readonly string[]): ServerConfig | undefined {
  const path = ['servers', name];
  const t = c.table(value, path, `[servers.${name}]`);
  if (t === undefined || !c.name(name, path, 'server')) return undefined;
  c.keys(t, path, SERVER_KEYS);
  const host = c.string(t, 'host', path);
  if (t['host'] === undefined) c.missing(path, "missing required key 'host'");
  else if (host !== undefined && host.startsWith('-')) c.add([...path, 'host'], "must not start with '-'");
  const routeName = c.string(t, 'route', path);
  if (routeName !== undefined && !routeNames.includes(routeName)) {
    const hint = suggest(routeName, routeNames);
    c.add(
      [...path, 'route'],
      `no route named '${routeName}'` +
        (hint !== undefined
          ? `; did you mean '${hint}'?`
          : routeNames.length === 0
            ? ' (the file defines no [routes.*] table)'
            : ` (defined: ${routeNames.join(', ')})`),
    );
  }
  let logserver: LogServerAddress | undefined;
  const logText = c.string(t, 'logserver', path);
  if (logText !== undefined) {
    logserver = parseLogServer(logText);
    if (logserver === undefined) c.add([...path, 'logserver'], 'expected "host:port" with a port from 1 to 65535');
  }
  const suites = c.stringArray(t, 'suites', path, 'suites = ["s1"]');
  suites?.forEach((s, i) => {
    if (s.includes('/')) c.add([...path, 'suites', i], "a suite name, without '/'");
  });
  return {
    name,
    host: host ?? '',
    port: c.port(t, 'port', path) ?? DEFAULT_ECFLOW_PORT,
    ...opt('route', routeName),
    ...opt('remoteUser', c.string(t, 'remote_user', path)),
    ...opt('customUser', c.string(t, 'custom_user', path)),
    ...opt('passwordFile', c.path(t, 'password_file', path)),
    ssl: c.boolean(t, 'ssl', path) ?? false,
    ...opt('logserver', logserver),
    favourite: c.boolean(t, 'favourite', path) ?? false,
    readOnly: c.boolean(t, 'read_only', path) ?? false,
    ...opt('suites', suites),
  };
}

/** `{ key: value }` when defined, `{}` otherwise (exactOptionalPropertyTypes). */
function opt<K extends string, V>(key: K, value: V | undefined): { [P in K]?: V } {
  return (value === undefined ? {} : { [key]: value }) as { [P in K]?: V };
}

/**
 * Check a parsed document. Returns the configuration when there is no issue.
 */
export function validateConfig(doc: Table, ctx: ValidateContext): { config: EcflowRemoteConfig; issues: readonly ConfigIssue[] } {
  const c = new Checker(ctx);
  c.keys(doc, [], TOP_KEYS, 'table');
  const routes = Object.create(null) as Record<string, RouteConfig>;
  const servers = Object.create(null) as Record<string, ServerConfig>;
  let ui: UiConfig = {};

  const routesTable = doc['routes'] === undefined ? {} : c.table(doc['routes'], ['routes'], '[routes.<name>]');
  const routeNames = routesTable === undefined ? [] : Object.keys(routesTable);
  for (const name of routeNames) {
    const r = route(c, name, routesTable?.[name]);
    if (r !== undefined) routes[name] = r;
  }
  const serversTable = doc['servers'] === undefined ? {} : c.table(doc['servers'], ['servers'], '[servers.<name>]');
  for (const name of serversTable === undefined ? [] : Object.keys(serversTable)) {
    const s = server(c, name, serversTable?.[name], routeNames);
    if (s !== undefined) servers[name] = s;
  }
  if (doc['ui'] !== undefined) {
    const t = c.table(doc['ui'], ['ui'], '[ui]');
    if (t !== undefined) {
      c.keys(t, ['ui'], UI_KEYS);
      ui = opt('port', c.port(t, 'port', ['ui']));
    }
  }
  return { config: { routes, servers, ui }, issues: c.issues };
}
