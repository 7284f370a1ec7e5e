/**
 * The typed configuration of ecflow-remote (issue 3 §1): routes to the centre through SSH,
 * ecFlow servers (optionally reached through a route), and the local UI. TOML keys are
 * snake_case (`remote_user`); here they are camelCase (`remoteUser`).
 *
 * Paths (`ssh_config`, `identity_file`, `certificate_file`, `password_file`) are absolute here:
 * `~/` is expanded and relative paths are taken relative to the config file's folder.
 */

/** `[routes.<name>]`: one OpenSSH master (jump chain + workstation), its SOCKS port. */
export interface RouteConfig {
  readonly name: string;
  /** As ssh takes it: `user@host`, `host`, or a Host alias of the ssh config. */
  readonly destination: string;
  /** ProxyJump chain (`-J a,b`), outermost first; empty when none. */
  readonly jump: readonly string[];
  /** `ssh -F <file>`. */
  readonly sshConfig?: string;
  /** Offered/run when the certificate has expired, e.g. `tsh login --proxy=jump.ecmwf.int`. */
  readonly loginCommand?: string;
  /** Fixed local SOCKS port; default a free port. */
  readonly socksPort?: number;
  /** `ssh -i <file>`. */
  readonly identityFile?: string;
  /** The certificate to watch for expiry (default: what `ssh -G` says). */
  readonly certificateFile?: string;
}

/** `logserver = "host:port"`. */
export interface LogServerAddress {
  readonly host: string;
  readonly port: number;
}

/** `[servers.<name>]`: one ecFlow server. */
export interface ServerConfig {
  readonly name: string;
  readonly host: string;
  /** Default 3141 (ecFlow's default port). */
  readonly port: number;
  /** Name of a `[routes.*]` table; absent: direct connection. */
  readonly route?: string;
  /** The user name the server knows you by (default: the login name). */
  readonly remoteUser?: string;
  /** Password-based custom user. */
  readonly customUser?: string;
  /** ecFlow passwd file (format 4.5.0), e.g. one written by `storePassword`. */
  readonly passwordFile?: string;
  /** TLS (ecFlow's `--ssl`). Default false. */
  readonly ssl: boolean;
  /** Overrides ECF_LOGHOST/ECF_LOGPORT. */
  readonly logserver?: LogServerAddress;
  /** Shown first in the UI. Default false. */
  readonly favourite: boolean;
  /** The UI offers no changing commands. Default false. */
  readonly readOnly: boolean;
  /** Suite filter: only these suites are registered/shown. Absent: all suites. */
  readonly suites?: readonly string[];
}

/** `[ui]`. */
export interface UiConfig {
  /** Fixed port of the local web UI; default a free port. */
  readonly port?: number;
}

/**
 * The whole configuration. `routes` and `servers` are keyed by name (objects without a
 * prototype, in file order); each entry also carries its `name`.
 */
export interface EcflowRemoteConfig {
  readonly routes: Readonly<Record<string, RouteConfig>>;
  readonly servers: Readonly<Record<string, ServerConfig>>;
  readonly ui: UiConfig;
}

/** What `loadConfig` returns: the configuration and where it came from. */
export interface LoadedConfig extends EcflowRemoteConfig {
  /** The config file (absolute), whether or not it exists. */
  readonly path: string;
  /** Its folder (where `storePassword` puts password files). */
  readonly dir: string;
  /** False when the default file does not exist (the configuration is then empty). */
  readonly exists: boolean;
  /** True when the file was chosen (`--config`, ECFLOW_REMOTE_CONFIG, `path`), not the default. */
  readonly explicit: boolean;
}

/** The environment variable that names another config file. */
export const CONFIG_ENV = 'ECFLOW_REMOTE_CONFIG';

/** ecFlow's default server port. */
export const DEFAULT_ECFLOW_PORT = 3141;

/** Route, server and other names: what may appear in `[servers.<name>]` without surprises. */
export const NAME_PATTERN = /^[A-Za-z0-9][A-Za-z0-9_.-]{0,63}$/;

/** An empty configuration. */
export function emptyConfig(): EcflowRemoteConfig {
  return { routes: Object.create(null) as Record<string, RouteConfig>, servers: Object.create(null) as Record<string, ServerConfig>, ui: {} };
}
