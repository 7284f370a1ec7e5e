/**
 * Writing the configuration back (the web UI adds, edits and removes servers): TOML text from the
 * typed configuration, checked by reading it back before anything is written, then written
 * atomically with mode 0600 (atomic-write.ts).
 *
 * Every table is kept: `[ui]`, every `[routes.*]` and `[servers.*]`, in their order. Defaults are
 * left out (`jump = []`, `favourite`/`read_only` false), `ssl` is always written. Paths under the
 * home directory are written as `~/...`. Comments of a hand-written file are not kept.
 */

import { homedir as osHomedir } from 'node:os';
import { dirname, resolve, sep } from 'node:path';
import { EcflowConfigError } from './config-errors.js';
import { parseConfig } from './config-parse.js';
import type { EcflowRemoteConfig, RouteConfig, ServerConfig } from './config-types.js';
import { writeFileAtomic } from './atomic-write.js';

export interface SaveConfigOptions {
  /** For writing paths as `~/...` (default os.homedir()). */
  readonly homedir?: string;
}

/** A TOML basic string: JSON's escapes are all valid TOML escapes; DEL must be escaped too. */
function str(value: string): string {
  return JSON.stringify(value).replace(/\x7f/g, '\\u007f');
}

function key(k: string): string {
  return /^[A-Za-z0-9_-]+$/.test(k) ? k : str(k);
}

function strArray(values: readonly string[]): string {
  return `[${values.map(str).join(', ')}]`;
}

/**
 * The configuration as TOML text.
 *
 * @example
 * formatConfig({ routes: {}, servers: { op: { name: 'op', host: 'machine1', port: 4141, ssl: false, favourite: false, readOnly: false } }, ui: {} })
 * // '# ecflow-remote configuration …\n\n[servers.op]\nhost = "machine1"\nport = 4141\nssl = false\n'
 */
export function formatConfig(config: EcflowRemoteConfig, options: SaveConfigOptions = {}): string {
  const home = resolve(options.homedir ?? osHomedir());
  const path = (p: string): string => {
    const abs = resolve(p);
    if (abs === home) return str('~');
    return abs.startsWith(home + sep) ? str(`~/${abs.slice(home.length + 1).split(sep).join('/')}`) : str(abs);
  };
  const out: string[] = [
    '# ecflow-remote configuration (written by ecflow-remote; comments are not kept).',
  ];
  const table = (header: string, lines: readonly (string | undefined)[]) => {
    out.push('', header, ...lines.filter((l): l is string => l !== undefined));
  };
  const line = (k: string, v: string | undefined) => (v === undefined ? undefined : `${k} = ${v}`);
  if (config.ui.port !== undefined) table('[ui]', [line('port', String(config.ui.port))]);
  for (const [name, r] of Object.entries(config.routes) as [string, RouteConfig][]) {
    table(`[routes.${key(name)}]`, [
      line('destination', str(r.destination)),
      line('jump', r.jump.length === 0 ? undefined : strArray(r.jump)),
      line('ssh_config', r.sshConfig === undefined ? undefined : path(r.sshConfig)),
      line('login_command', r.loginCommand === undefined ? undefined : str(r.loginCommand)),
      line('socks_port', r.socksPort === undefined ? undefined : String(r.socksPort)),
      line('identity_file', r.identityFile === undefined ? undefined : path(r.identityFile)),
      line('certificate_file', r.certificateFile === undefined ? undefined : path(r.certificateFile)),
    ]);
  }
  for (const [name, s] of Object.entries(config.servers) as [string, ServerConfig][]) {
    const log = s.logserver === undefined ? undefined : `${s.logserver.host.includes(':') ? `[${s.logserver.host}]` : s.logserver.host}:${s.logserver.port}`;
    table(`[servers.${key(name)}]`, [
      line('host', str(s.host)),
      line('port', String(s.port)),
      line('route', s.route === undefined ? undefined : str(s.route)),
      line('remote_user', s.remoteUser === undefined ? undefined : str(s.remoteUser)),
      line('custom_user', s.customUser === undefined ? undefined : str(s.customUser)),
      line('password_file', s.passwordFile === undefined ? undefined : path(s.passwordFile)),
      line('ssl', String(s.ssl)),
      line('logserver', log === undefined ? undefined : str(log)),
      line('favourite', s.favourite ? 'true' : undefined),
      line('read_only', s.readOnly ? 'true' : undefined),
      line('suites', s.suites === undefined ? undefined : strArray(s.suites)),
    ]);
  }
  return `${out.join('\n')}\n`;
}

/**
 * Write `config` to `path` (atomically, mode 0600, folder created 0700). The text is read back
 * and checked first: a configuration that would not load (unknown route, bad port, bad name)
 * throws EcflowConfigError naming "<path> (not written)" and the file is left as it was.
 *
 * @example
 * const config = await loadConfig();
 * await saveConfig(config.path, { ...config, servers: { ...config.servers, op2: { ...op, name: 'op2' } } });
 */
export async function saveConfig(path: string, config: EcflowRemoteConfig, options: SaveConfigOptions = {}): Promise<void> {
  const text = formatConfig(config, options);
  const target = resolve(path);
  try {
    parseConfig(text, `${target} (not written)`, { baseDir: dirname(target), ...(options.homedir === undefined ? {} : { homedir: options.homedir }) });
  } catch (e) {
    if (e instanceof EcflowConfigError) throw e;
    throw new EcflowConfigError({ file: `${target} (not written)` }, String(e), { cause: e });
  }
  for (const [name, s] of Object.entries(config.servers)) {
    if (s.name !== name) {
      throw new EcflowConfigError({ file: `${target} (not written)`, key: `servers.${key(name)}` }, `the entry's name is '${s.name}'`);
    }
  }
  for (const [name, r] of Object.entries(config.routes)) {
    if (r.name !== name) {
      throw new EcflowConfigError({ file: `${target} (not written)`, key: `routes.${key(name)}` }, `the entry's name is '${r.name}'`);
    }
  }
  await writeFileAtomic(target, text, 0o600);
}
