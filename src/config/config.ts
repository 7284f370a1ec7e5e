/**
 * The configuration file of ecflow-remote (issue 3 §1): where it is, reading it, and one clear
 * message when it is wrong.
 *
 * Where: `--config F`, else ECFLOW_REMOTE_CONFIG, else the default (`defaultConfigPath`):
 * `$XDG_CONFIG_HOME/ecflow-remote/config.toml` (`~/.config/...` when unset), on Windows
 * `%APPDATA%\ecflow-remote\config.toml`, on macOS `~/Library/Application Support/ecflow-remote/
 * config.toml` if that exists, else the XDG path. A missing default file is an empty
 * configuration; a missing chosen file is an error.
 *
 * A broken file gives ONE EcflowConfigError (code CONFIG) naming file, line and key: the first
 * mistake in file order. See config-validate.ts for what is checked.
 *
 * @example
 * const config = await loadConfig();                       // default file, or empty
 * const op = config.servers['op'];                         // ServerConfig | undefined
 * const route = op?.route === undefined ? undefined : config.routes[op.route];
 */

import { existsSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { homedir as osHomedir } from 'node:os';
import { dirname, posix, resolve, win32 } from 'node:path';
import { EcflowError, ErrorCode } from '../errors.js';
import { EcflowConfigError } from './config-errors.js';
import { parseConfig } from './config-parse.js';
import { CONFIG_ENV, emptyConfig, type LoadedConfig } from './config-types.js';

export * from './config-types.js';
export { EcflowConfigError, formatKeyPath, suggest } from './config-errors.js';
export { parseConfig } from './config-parse.js';
export { formatConfig, saveConfig, type SaveConfigOptions } from './config-save.js';
export { passwordFilePath, storePassword } from './passwords.js';

type Env = Readonly<Record<string, string | undefined>>;

export interface PathOptions {
  /** Home directory (default os.homedir()). */
  readonly homedir?: string;
  /** File existence test, for the macOS choice (default fs.existsSync). */
  readonly exists?: (path: string) => boolean;
}

/**
 * The default config file for a platform.
 *
 * @example
 * defaultConfigPath({ XDG_CONFIG_HOME: '/x' }, 'linux')     // '/x/ecflow-remote/config.toml'
 * defaultConfigPath({ APPDATA: 'C:\\Users\\u\\AppData\\Roaming' }, 'win32')
 * // 'C:\\Users\\u\\AppData\\Roaming\\ecflow-remote\\config.toml'
 */
export function defaultConfigPath(env: Env = process.env, platform: NodeJS.Platform = process.platform, options: PathOptions = {}): string {
  const home = options.homedir ?? osHomedir();
  if (platform === 'win32') {
    const appData = nonEmpty(env['APPDATA']) ?? win32.join(home, 'AppData', 'Roaming');
    return win32.join(appData, 'ecflow-remote', 'config.toml');
  }
  if (platform === 'darwin') {
    const mac = posix.join(home, 'Library', 'Application Support', 'ecflow-remote', 'config.toml');
    if ((options.exists ?? existsSync)(mac)) return mac;
  }
  const xdg = nonEmpty(env['XDG_CONFIG_HOME']);
  // The XDG spec: a relative XDG_CONFIG_HOME is invalid and must be ignored.
  const base = xdg !== undefined && posix.isAbsolute(xdg) ? xdg : posix.join(home, '.config');
  return posix.join(base, 'ecflow-remote', 'config.toml');
}

/** Which config file, and how it was chosen. */
export interface ConfigPathChoice {
  readonly path: string;
  /** True for `--config` and ECFLOW_REMOTE_CONFIG (a missing file is then an error). */
  readonly explicit: boolean;
  readonly source: 'argv' | 'env' | 'default';
}

/**
 * The config file named by the command line (`--config F` or `--config=F`, before any `--`), else
 * by ECFLOW_REMOTE_CONFIG, else the default. `~/` is expanded; relative paths are made absolute
 * against the current directory. Throws INVALID_ARGUMENT for `--config` without a file name.
 *
 * @example
 * configPathFrom(['client', '--config', 'my.toml', '--ping'], {})
 * // { path: '/cwd/my.toml', explicit: true, source: 'argv' }
 */
export function configPathFrom(
  argv: readonly string[] = process.argv.slice(2),
  env: Env = process.env,
  platform: NodeJS.Platform = process.platform,
  options: PathOptions = {},
): ConfigPathChoice {
  const home = options.homedir ?? osHomedir();
  const absolute = (p: string): string => (p === '~' ? home : p.startsWith('~/') ? resolve(home, p.slice(2)) : resolve(p));
  let fromArgv: string | undefined;
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i] ?? '';
    if (a === '--') break;
    if (a === '--config') {
      const value = argv[i + 1];
      if (value === undefined || value === '' || value.startsWith('-')) {
        throw new EcflowError(ErrorCode.INVALID_ARGUMENT, '--config needs a file name: --config <file.toml>');
      }
      fromArgv = value;
      i++;
    } else if (a.startsWith('--config=')) {
      const value = a.slice('--config='.length);
      if (value === '') throw new EcflowError(ErrorCode.INVALID_ARGUMENT, '--config needs a file name: --config=<file.toml>');
      fromArgv = value;
    }
  }
  if (fromArgv !== undefined) return { path: absolute(fromArgv), explicit: true, source: 'argv' };
  const fromEnv = nonEmpty(env[CONFIG_ENV]);
  if (fromEnv !== undefined) return { path: absolute(fromEnv), explicit: true, source: 'env' };
  return { path: defaultConfigPath(env, platform, options), explicit: false, source: 'default' };
}

export interface LoadConfigOptions extends PathOptions {
  /** The file to read (explicit: it must exist). Default: ECFLOW_REMOTE_CONFIG, else the default path. */
  readonly path?: string;
  /** Environment (default process.env). */
  readonly env?: Env;
  /** Platform for the default path (default process.platform). */
  readonly platform?: NodeJS.Platform;
}

/**
 * Read and check the config file. Throws EcflowConfigError (code CONFIG): unreadable file, missing
 * chosen file, TOML syntax error (file:line:column), or the first mistake (file:line: key: what).
 */
export async function loadConfig(options: LoadConfigOptions = {}): Promise<LoadedConfig> {
  const env = options.env ?? process.env;
  const choice: ConfigPathChoice =
    options.path !== undefined
      ? { path: resolve(options.path), explicit: true, source: 'argv' }
      : configPathFrom([], env, options.platform ?? process.platform, options);
  const path = choice.path;
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (e) {
    const code = (e as { code?: unknown }).code;
    if (code === 'ENOENT' && !choice.explicit) {
      return { ...emptyConfig(), path, dir: dirname(path), exists: false, explicit: false };
    }
    const why =
      code === 'ENOENT'
        ? 'the file does not exist'
        : code === 'EACCES' || code === 'EPERM'
          ? 'permission denied'
          : code === 'EISDIR'
            ? 'it is a directory, not a file'
            : `cannot read it (${typeof code === 'string' ? code : String(e)})`;
    const via = choice.source === 'env' ? ` (named by ${CONFIG_ENV})` : '';
    throw new EcflowConfigError({ file: `${path}${via}` }, why, { cause: e });
  }
  const config = parseConfig(text, path, options.homedir === undefined ? {} : { homedir: options.homedir });
  return { ...config, path, dir: dirname(path), exists: true, explicit: choice.explicit };
}

function nonEmpty(v: string | undefined): string | undefined {
  return v === undefined || v === '' ? undefined : v;
}
