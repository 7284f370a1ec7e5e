/**
 * Command lines for OpenSSH, always as argv arrays (never a shell string), for:
 * - the route's master (connectivity-notes.md §5.1): `ssh [-F cfg] -N -C -o ControlMaster=yes
 *   -o ControlPath=<path> -o ControlPersist=no -o ExitOnForwardFailure=yes -o ServerAliveInterval=15
 *   -o ServerAliveCountMax=3 -o BatchMode=yes -o ConnectTimeout=15 [-J jump,...] -D 127.0.0.1:<port>
 *   [-L ...] <destination>`; without multiplexing (Windows, notes §0.9) the ControlMaster options
 *   are left out and the forwards are fixed `-L` options instead;
 * - control commands, `ssh -F none -S <path> -O check|exit|forward|cancel [-L spec] x`: `-F none`
 *   so that the user's `Match exec` lines (e.g. an automatic `tsh login`) never run for them (§1.2);
 * - `ssh -G`, the effective configuration as OpenSSH resolves it (§1.1), and its parser;
 * - a generated ssh_config that adds a route's identity/certificate file for every hop (options on
 *   the command line only reach the destination, not the `-J` hops: `man ssh` -J, notes §1.1).
 */

import { homedir } from 'node:os';
import { join } from 'node:path';

/** Where a route goes: what `ssh` gets after the options. */
export interface SshTarget {
  /** `host`, `user@host` or a Host alias of the ssh config. */
  readonly destination: string;
  /** ProxyJump hops, outermost first (`-J a,b`); default: whatever the ssh config says. */
  readonly jump?: readonly string[] | undefined;
  /** `-F <file>` (also passed on to the jump hops by OpenSSH); default: the user's ~/.ssh/config. */
  readonly configFile?: string | undefined;
}

/** A local TCP forward `-L 127.0.0.1:<localPort>:<remoteHost>:<remotePort>`. */
export interface LocalForward {
  readonly localPort: number;
  readonly remoteHost: string;
  readonly remotePort: number;
}

export interface MasterArgvOptions extends SshTarget {
  /** The control socket; `undefined` = no multiplexing (Windows OpenSSH). */
  readonly controlPath?: string | undefined;
  /** `-D 127.0.0.1:<socksPort>`. */
  readonly socksPort: number;
  /** Fixed `-L` forwards (only without multiplexing; with it they are added by `-O forward`). */
  readonly forwards?: readonly LocalForward[];
  /** ServerAliveInterval (s), default 15. */
  readonly serverAliveInterval?: number;
  /** ServerAliveCountMax, default 3. */
  readonly serverAliveCountMax?: number;
  /** ConnectTimeout (s), default 15. */
  readonly connectTimeout?: number;
}

/** Throws unless `value` is safe as a destination or jump argument (no option injection). */
export function checkHostArgument(what: string, value: string): void {
  if (value === '' || value.startsWith('-') || /[\s\0-\x1f,]/.test(value)) {
    throw new Error(`invalid ${what} '${value}': must be non-empty, must not start with '-', and must not contain spaces or commas`);
  }
}

function checkPort(what: string, port: number): void {
  if (!Number.isInteger(port) || port < 1 || port > 65535) throw new Error(`invalid ${what} ${String(port)}: expected 1-65535`);
}

/** `-F` and `-J` arguments and the destination, shared by the master and `ssh -G`. */
function targetArgs(target: SshTarget): { config: string[]; jump: string[]; destination: string } {
  checkHostArgument('destination', target.destination);
  const config = target.configFile === undefined ? [] : ['-F', target.configFile];
  const jump: string[] = [];
  if (target.jump !== undefined && target.jump.length > 0) {
    for (const hop of target.jump) checkHostArgument('jump host', hop);
    jump.push('-J', target.jump.join(','));
  }
  return { config, jump, destination: target.destination };
}

/** A host for a forward spec: IPv6 literals in brackets. */
function forwardHost(host: string): string {
  return host.includes(':') && !host.startsWith('[') ? `[${host}]` : host;
}

/** `127.0.0.1:<localPort>:<remoteHost>:<remotePort>`, the `-L` argument. */
export function formatLocalForward(forward: LocalForward): string {
  checkPort('local port', forward.localPort);
  checkPort('remote port', forward.remotePort);
  if (forward.remoteHost === '' || /[\s\0-\x1f/]/.test(forward.remoteHost)) {
    throw new Error(`invalid forward target host '${forward.remoteHost}'`);
  }
  return `127.0.0.1:${forward.localPort}:${forwardHost(forward.remoteHost)}:${forward.remotePort}`;
}

/**
 * The master's argv (without the program name).
 *
 * @example
 * buildMasterArgv({ destination: 'ws', controlPath: '/run/user/1000/ecflow-remote/centr-3fa9', socksPort: 40123 })
 * // ['-N', '-C', '-o', 'ControlMaster=yes', '-o', 'ControlPath=/run/...', ..., '-D', '127.0.0.1:40123', 'ws']
 */
export function buildMasterArgv(options: MasterArgvOptions): string[] {
  const { config, jump, destination } = targetArgs(options);
  checkPort('SOCKS port', options.socksPort);
  const o = (setting: string): string[] => ['-o', setting];
  const argv = [...config, '-N', '-C'];
  if (options.controlPath !== undefined) {
    if (/[\s%"]/.test(options.controlPath)) throw new Error(`control path '${options.controlPath}' must not contain spaces, '%' or quotes`);
    argv.push(...o('ControlMaster=yes'), ...o(`ControlPath=${options.controlPath}`), ...o('ControlPersist=no'));
  } else {
    argv.push(...o('ControlMaster=no'), ...o('ControlPath=none'));
  }
  argv.push(
    ...o('ExitOnForwardFailure=yes'),
    ...o(`ServerAliveInterval=${options.serverAliveInterval ?? 15}`),
    ...o(`ServerAliveCountMax=${options.serverAliveCountMax ?? 3}`),
    ...o('BatchMode=yes'),
    ...o(`ConnectTimeout=${options.connectTimeout ?? 15}`),
  );
  argv.push(...jump, '-D', `127.0.0.1:${options.socksPort}`);
  for (const forward of options.forwards ?? []) argv.push('-L', formatLocalForward(forward));
  argv.push(destination);
  return argv;
}

/** `ssh -G` argv: the effective configuration for the destination (with the same -F/-J). */
export function buildResolveArgv(target: SshTarget): string[] {
  const { config, jump, destination } = targetArgs(target);
  return ['-G', ...config, ...jump, destination];
}

/** A multiplexing control operation (`ssh -O …`). */
export type ControlOperation = 'check' | 'exit' | 'forward' | 'cancel';

/**
 * `ssh -F none -S <controlPath> -O <op> [-L spec] x`. The user's config is not read (no
 * `Match exec` side effects); `x` is a placeholder destination, the socket decides.
 */
export function buildControlArgv(controlPath: string, operation: ControlOperation, forward?: LocalForward): string[] {
  const argv = ['-F', 'none', '-S', controlPath, '-O', operation];
  if (operation === 'forward' || operation === 'cancel') {
    if (forward === undefined) throw new Error(`ssh -O ${operation} needs a forward`);
    argv.push('-L', formatLocalForward(forward));
  }
  argv.push('x');
  return argv;
}

/** The parts of `ssh -G` output the supervisor uses, plus every key's values. */
export interface SshResolvedConfig {
  readonly hostname: string;
  readonly port: number;
  readonly user: string | undefined;
  /** `proxyjump` split at commas (empty when none). */
  readonly proxyJump: readonly string[];
  readonly proxyCommand: string | undefined;
  /** `certificatefile` values, `~` expanded. */
  readonly certificateFiles: readonly string[];
  /** `identityfile` values, `~` expanded. */
  readonly identityFiles: readonly string[];
  /** `identityagent` (e.g. `none`, `SSH_AUTH_SOCK`, a path), if printed. */
  readonly identityAgent: string | undefined;
  /** Every key (lower case) with all its values, in order. */
  readonly all: ReadonlyMap<string, readonly string[]>;
}

/** `~` and `~/x` → the home directory (as OpenSSH does for file options). */
export function expandTilde(path: string, home: string = homedir()): string {
  if (path === '~') return home;
  if (path.startsWith('~/') || path.startsWith('~\\')) return join(home, path.slice(2));
  return path;
}

/**
 * Parses `ssh -G` output (`key value` lines, keys in lower case).
 *
 * @example
 * parseResolvedConfig('hostname 127.0.0.1\nport 2202\nproxyjump jump\n').proxyJump // ['jump']
 */
export function parseResolvedConfig(text: string, home: string = homedir()): SshResolvedConfig {
  const all = new Map<string, string[]>();
  for (const raw of text.split(/\r?\n/)) {
    const line = raw.trim();
    if (line === '') continue;
    const space = line.indexOf(' ');
    const key = (space < 0 ? line : line.slice(0, space)).toLowerCase();
    const value = space < 0 ? '' : line.slice(space + 1).trim();
    const list = all.get(key);
    if (list) list.push(value);
    else all.set(key, [value]);
  }
  const first = (key: string): string | undefined => all.get(key)?.[0];
  const port = Number.parseInt(first('port') ?? '22', 10);
  const proxyJump = first('proxyjump');
  const files = (key: string): string[] => (all.get(key) ?? []).filter((v) => v !== '' && v !== 'none').map((v) => expandTilde(v, home));
  return {
    hostname: first('hostname') ?? '',
    port: Number.isInteger(port) && port > 0 ? port : 22,
    user: first('user'),
    proxyJump: proxyJump === undefined || proxyJump === 'none' ? [] : proxyJump.split(',').filter((h) => h !== ''),
    proxyCommand: first('proxycommand'),
    certificateFiles: files('certificatefile'),
    identityFiles: files('identityfile'),
    identityAgent: first('identityagent'),
    all,
  };
}

/** Inputs for {@link buildGeneratedConfig}. */
export interface GeneratedConfigOptions {
  readonly routeName: string;
  readonly identityFile?: string | undefined;
  readonly certificateFile?: string | undefined;
  /** Config files to include after our lines (absolute paths), e.g. the user's and the system's. */
  readonly include: readonly string[];
}

function quoteConfigValue(value: string): string {
  if (value.includes('"') || /[\0-\x1f]/.test(value)) throw new Error(`cannot write '${value}' into an ssh_config file`);
  return `"${value}"`;
}

/**
 * An ssh_config text that gives every hop (jump hosts included) the route's identity and
 * certificate file, then includes the normal configuration. Used with `-F`, which OpenSSH passes on
 * to the ProxyJump child processes.
 */
export function buildGeneratedConfig(options: GeneratedConfigOptions): string {
  const lines = [`# generated by ecflow-remote for route ${JSON.stringify(options.routeName)}; removed when the route stops`, 'Host *'];
  if (options.identityFile !== undefined) lines.push(`  IdentityFile ${quoteConfigValue(options.identityFile)}`);
  if (options.certificateFile !== undefined) lines.push(`  CertificateFile ${quoteConfigValue(options.certificateFile)}`);
  for (const file of options.include) lines.push(`Include ${quoteConfigValue(file)}`);
  return `${lines.join('\n')}\n`;
}

/**
 * A ProxyJump hop as `ssh -G` arguments: `[user@]host[:port]` or `ssh://[user@]host[:port]`.
 * Returns undefined for forms we do not understand.
 */
export function jumpTarget(hop: string): { destination: string; user?: string; port?: number } | undefined {
  const m = /^(?:ssh:\/\/)?(?:([^@\s]+)@)?(\[[^\]]+\]|[^:@\s]+)(?::(\d+))?$/.exec(hop);
  if (!m) return undefined;
  const host = (m[2] ?? '').replace(/^\[(.*)\]$/, '$1');
  if (host === '' || host.startsWith('-')) return undefined;
  return {
    destination: host,
    ...(m[1] === undefined ? {} : { user: m[1] }),
    ...(m[3] === undefined ? {} : { port: Number(m[3]) }),
  };
}
