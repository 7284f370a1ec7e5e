/**
 * The public shapes of a route: its configuration (`RouteSpec`, what src/config produces), its
 * states, the JSON-friendly status snapshot, the events and the supervisor's tuning options.
 * See ssh-route.ts for the state machine.
 */

import type { BackoffOptions } from './backoff.js';
import type { ConnectTarget } from './connector.js';
import type { CertificateInfo } from './ssh-certificate.js';
import type { SshFailureKind } from './ssh-classify.js';
import type { ForwardEntry } from './ssh-forwards.js';

/** A route as the configuration describes it (src/config). */
export interface RouteSpec {
  readonly name: string;
  /** `host`, `user@host` or a Host alias of the ssh config (the workstation inside the centre). */
  readonly destination: string;
  /** Jump hosts, outermost first (`-J`); default: what the ssh config says (ProxyJump). */
  readonly jump?: readonly string[] | undefined;
  /** ssh_config file (`-F`); default: the user's ~/.ssh/config. */
  readonly sshConfig?: string | undefined;
  /** The command that renews the login, e.g. `tsh login --proxy=jump.ecmwf.int` (run by `login()`). */
  readonly loginCommand?: string | undefined;
  /** Fixed SOCKS port (e.g. 9050 for ecflow_ui's proxychains); default: any free port. */
  readonly socksPort?: number | undefined;
  readonly identityFile?: string | undefined;
  readonly certificateFile?: string | undefined;
}

export const RouteState = {
  IDLE: 'idle',
  CONNECTING: 'connecting',
  UP: 'up',
  BACKOFF: 'backoff',
  NEEDS_LOGIN: 'needs-login',
  FAILED: 'failed',
} as const;
export type RouteState = (typeof RouteState)[keyof typeof RouteState];

export interface RouteError {
  readonly kind: SshFailureKind;
  readonly message: string;
  /** The master's last stderr lines (empty when no ssh ran). */
  readonly stderrTail: string;
  /** ISO time. */
  readonly at: string;
  readonly hop?: string;
  readonly fingerprint?: string;
}

export interface RouteCertificateStatus {
  readonly path: string;
  readonly source: CertificateInfo['source'];
  /** ISO time, null = no start. */
  readonly validFrom: string | null;
  /** ISO time, null = never expires. */
  readonly validTo: string | null;
  readonly expired: boolean;
  /** The T-60/T-10 warning in force. */
  readonly warning?: string;
}

/** A JSON-friendly snapshot of a route. */
export interface RouteStatus {
  readonly name: string;
  readonly state: RouteState;
  readonly socksPort: number | undefined;
  /** PID of the running master. */
  readonly pid: number | undefined;
  /** ISO time of the last state change. */
  readonly since: string;
  readonly lastError: RouteError | undefined;
  readonly certificate?: RouteCertificateStatus;
  /** Masters started after the first one. */
  readonly reconnects: number;
  /** In backoff: when the next attempt starts (ISO). */
  readonly nextAttemptAt?: string;
  readonly multiplexing: boolean;
  readonly forwards: readonly ForwardEntry[];
}

export interface RouteEvents {
  /** The state changed. */
  state: [RouteStatus];
  /** Anything in the status changed (state, certificate, forwards, port). */
  status: [RouteStatus];
  /** T-60/T-10 minutes before the certificate expires. */
  'certificate-warning': [{ message: string; certificate: RouteCertificateStatus }];
  /** A line the master wrote on stderr. */
  log: [string];
  /** A master was started. */
  spawn: [{ pid: number; argv: readonly string[] }];
  /** A forward had to move to another local port (its old one was taken meanwhile). */
  'forward-moved': [{ remoteHost: string; remotePort: number; from: number; to: number }];
}

export interface RouteSupervisorOptions {
  /** With a fixed `socksPort` that is taken: use another port instead of failing. Default false. */
  readonly socksPortFallback?: boolean;
  /** ControlMaster available. Default: not on Windows. */
  readonly multiplexing?: boolean;
  /** Programs; defaults `ssh`, `ssh-keygen`, `ssh-add` from PATH. */
  readonly ssh?: string;
  readonly sshKeygen?: string;
  readonly sshAdd?: string;
  /** Environment of every program we run; default process.env. */
  readonly env?: NodeJS.ProcessEnv;
  /** Health probe period while up (ms). Default 10 000. */
  readonly healthIntervalMs?: number;
  /** Probe timeout (ms). Default 5000. */
  readonly probeTimeoutMs?: number;
  /** Failed probes in a row before the master is restarted. Default 2. */
  readonly probeFailures?: number;
  /** Where the probe goes; default: the destination's HostName/Port from `ssh -G`. */
  readonly probeTarget?: ConnectTarget;
  /** Longest `connecting` (ms) before the attempt counts as failed. Default 45 000. */
  readonly readyTimeoutMs?: number;
  readonly serverAliveInterval?: number;
  readonly serverAliveCountMax?: number;
  readonly connectTimeout?: number;
  readonly backoff?: BackoffOptions;
  /** Up this long (ms) resets the backoff. Default 60 000. */
  readonly upResetMs?: number;
  /** How long `connector()` and `addForward()` wait for `up` while connecting (ms). Default 15 000. */
  readonly connectWaitMs?: number;
  /** Certificate warnings, minutes before expiry. Default [60, 10]. */
  readonly certificateWarningsMin?: readonly number[];
  /** fs.watchFile interval for certificate files (ms). Default 2000. */
  readonly certificateWatchIntervalMs?: number;
  /** Teleport base directory to search (null: do not); default $TELEPORT_HOME or ~/.tsh. */
  readonly teleportHome?: string | null;
  /** Look for certificates in the agent; default unless the config says `IdentityAgent none`. */
  readonly agent?: boolean;
  /** Private runtime directory; default see runtime-dir.ts. */
  readonly runtimeDir?: string;
}
