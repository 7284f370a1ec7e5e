/**
 * What went wrong with an OpenSSH master, from its stderr and exit status
 * (connectivity-notes.md §1.7, checked against OpenSSH 9.2). The classes decide what the route
 * supervisor does next (notes §5.2):
 *
 * | kind          | examples                                                       | action       |
 * |---------------|----------------------------------------------------------------|--------------|
 * | `auth`        | `user@hop: Permission denied (publickey).`                     | needs-login  |
 * | `hostkey`     | `REMOTE HOST IDENTIFICATION HAS CHANGED`, `No … host key is known` | failed   |
 * | `port-in-use` | `bind [127.0.0.1]:3142: Address already in use`                | new port     |
 * | `config`      | `Bad configuration option`, `administratively prohibited`      | failed       |
 * | `dns`         | `Could not resolve hostname …`                                 | backoff      |
 * | `unreachable` | `channel 0: open failed: connect failed: …` + `stdio forwarding failed` | backoff |
 * | `network`     | `connect to host … Connection refused`, `Timeout, server … not responding`, `closed by remote host` | backoff |
 * | `unknown`     | anything else (also a master killed by a signal)               | backoff      |
 *
 * Matching is loose on purpose (macOS/Windows builds word some messages differently, notes §6);
 * the raw lines always travel with the result.
 */

export const SshFailureKind = {
  AUTH: 'auth',
  HOST_KEY: 'hostkey',
  PORT_IN_USE: 'port-in-use',
  CONFIG: 'config',
  DNS: 'dns',
  UNREACHABLE: 'unreachable',
  NETWORK: 'network',
  UNKNOWN: 'unknown',
} as const;
export type SshFailureKind = (typeof SshFailureKind)[keyof typeof SshFailureKind];

/** What the supervisor does for a kind of failure. */
export const SshFailureAction = {
  NEEDS_LOGIN: 'needs-login',
  FAILED: 'failed',
  NEW_PORT: 'new-port',
  BACKOFF: 'backoff',
} as const;
export type SshFailureAction = (typeof SshFailureAction)[keyof typeof SshFailureAction];

export interface SshFailure {
  readonly kind: SshFailureKind;
  readonly action: SshFailureAction;
  /** One sentence for the user (the supervisor may add certificate details). */
  readonly message: string;
  /** The hop that refused or failed: `user@host` (auth), `[host]:port` (host key), `host` (network). */
  readonly hop?: string;
  /** For auth: whether the refusal came from a jump host (the destination was never reached). */
  readonly hopRole?: 'jump' | 'destination';
  /** Host key failures: the fingerprint the server sent (`SHA256:…`), when OpenSSH printed it. */
  readonly fingerprint?: string;
  /** Host key failures: the known_hosts lines OpenSSH pointed at (offending key, ssh-keygen -R command). */
  readonly knownHostsHint?: string;
  /** Port in use: the local port. */
  readonly port?: number;
  /** The stderr lines that decided the class, verbatim. */
  readonly evidence: string;
}

const ACTION: Readonly<Record<SshFailureKind, SshFailureAction>> = {
  auth: 'needs-login',
  hostkey: 'failed',
  'port-in-use': 'new-port',
  config: 'failed',
  dns: 'backoff',
  unreachable: 'backoff',
  network: 'backoff',
  unknown: 'backoff',
};

function failure(kind: SshFailureKind, message: string, evidence: string, extra: Partial<SshFailure> = {}): SshFailure {
  return { kind, action: ACTION[kind], message, evidence, ...extra };
}

/** The lines of `stderr`, trimmed, without empty ones and without OpenSSH's banner art. */
function linesOf(stderr: string): string[] {
  return stderr
    .split(/\r?\n/)
    .map((l) => l.trim())
    .filter((l) => l !== '' && !/^@+$/.test(l));
}

function find(lines: readonly string[], re: RegExp): { line: string; match: RegExpExecArray } | undefined {
  for (const line of lines) {
    const match = re.exec(line);
    if (match) return { line, match };
  }
  return undefined;
}

/** Lines that only say "the outer connection could not get through the jump hop". */
const JUMP_FALLOUT = /^(kex_exchange_identification: |ssh_exchange_identification: |Connection closed by UNKNOWN port 65535)/;

/**
 * Classifies an ssh exit.
 *
 * @param stderr everything (or the tail of what) ssh wrote on stderr
 * @param exitCode its exit code (`null` when killed by a signal)
 * @param signal the signal that killed it, if any
 *
 * @example
 * classifySshFailure('labuser@jump.centre.test: Permission denied (publickey).\n', 255).action // 'needs-login'
 */
export function classifySshFailure(stderr: string, exitCode: number | null, signal: string | null = null): SshFailure {
  const lines = linesOf(stderr);
  const evidenceOf = (...picked: (string | undefined)[]): string => picked.filter((l): l is string => l !== undefined).join('\n');

  // --- host keys (checked first: a MITM warning must never be mistaken for anything else)
  const changed = find(lines, /^Host key for (\S+) has changed and you have requested strict checking/);
  const identification = find(lines, /REMOTE HOST IDENTIFICATION HAS CHANGED/);
  const unknownKey = find(lines, /^No (\S+) host key is known for (\S+) and you have requested strict checking/);
  const verificationFailed = find(lines, /^Host key verification failed\.?$/);
  const hostCertInvalid = find(lines, /host certificate|Certificate invalid/i);
  if (changed || identification || unknownKey || verificationFailed) {
    const fingerprintIndex = lines.findIndex((l) => /^The fingerprint for the \S+ key sent by the remote host is$/.test(l));
    const fingerprint = fingerprintIndex >= 0 ? lines[fingerprintIndex + 1]?.replace(/\.$/, '') : undefined;
    const hintLines = lines.filter((l) => /^Offending .* key in |^ssh-keygen -f .* -R |^Add correct host key in /.test(l));
    const hop = changed?.match[1] ?? unknownKey?.match[2];
    const where = hop === undefined ? '' : ` for ${hop}`;
    let message: string;
    if (changed || identification) {
      message =
        `refusing to connect: the host key${where} has CHANGED (possible man-in-the-middle attack)` +
        (fingerprint === undefined ? '' : `; the server sent ${fingerprint}`) +
        `. If the change is expected, remove the old key from known_hosts` +
        (hintLines.length > 0 ? ` (${hintLines.join('; ')})` : '') +
        ' and connect once with ssh to accept the new one.';
    } else if (unknownKey) {
      message =
        `refusing to connect: no host key is known${where} and strict host key checking is on; ` +
        `connect once with ssh in a terminal to check and accept its key (or add it to known_hosts).`;
    } else {
      message =
        'refusing to connect: host key verification failed' +
        (hostCertInvalid ? ` (${hostCertInvalid.line})` : '') +
        '; check known_hosts for the jump host and the destination.';
    }
    return failure('hostkey', message, evidenceOf(identification?.line, changed?.line, unknownKey?.line, verificationFailed?.line), {
      ...(hop === undefined ? {} : { hop }),
      ...(fingerprint === undefined ? {} : { fingerprint }),
      ...(hintLines.length > 0 ? { knownHostsHint: hintLines.join('\n') } : {}),
    });
  }

  // --- authentication
  const denied = find(lines, /^(?:(\S+): )?Permission denied \(([^)]*)\)\.?/);
  const tooMany = find(lines, /Too many authentication failures/);
  const authFailed = find(lines, /^(Authentication failed\.?|sign_and_send_pubkey: signing failed.*)$/);
  if (denied || tooMany || authFailed) {
    const hop = denied?.match[1];
    const index = denied ? lines.indexOf(denied.line) : -1;
    const jumpRefused = index >= 0 && lines.slice(index + 1).some((l) => JUMP_FALLOUT.test(l));
    const unprotected = find(lines, /UNPROTECTED PRIVATE KEY FILE|bad permissions/);
    const who = hop === undefined ? 'the server' : `${hop}${jumpRefused ? ' (jump host)' : ''}`;
    const reason = denied ? `Permission denied (${denied.match[2] ?? ''})` : (tooMany?.line ?? authFailed?.line ?? '');
    const message =
      `${who} refused the login: ${reason}` +
      (unprotected ? `; ssh ignored a private key with bad permissions (${unprotected.line})` : '') +
      '. Log in again (e.g. tsh login) or check the key/certificate.';
    return failure('auth', message, evidenceOf(denied?.line, tooMany?.line, authFailed?.line), {
      ...(hop === undefined ? {} : { hop }),
      ...(denied ? { hopRole: jumpRefused ? ('jump' as const) : ('destination' as const) } : {}),
    });
  }

  // --- local port already taken (-D or -L with ExitOnForwardFailure; also via the mux)
  const bind = find(lines, /^bind \[?([^\]\s]*)\]?:(\d+): Address already in use/);
  const listen = find(lines, /cannot listen to port: (\d+)/);
  const muxForward = find(lines, /forwarding request failed: Port forwarding failed/);
  if (bind || listen || muxForward) {
    const port = Number(bind?.match[2] ?? listen?.match[1] ?? Number.NaN);
    const message = Number.isFinite(port)
      ? `local port ${port} is already in use by another program`
      : 'a local forward could not be set up (port already in use?)';
    return failure('port-in-use', message, evidenceOf(bind?.line, listen?.line, muxForward?.line), Number.isFinite(port) ? { port } : {});
  }

  // --- configuration problems: retrying will not help
  const config = find(
    lines,
    /Bad configuration option|Bad local forwarding specification|Bad dynamic forwarding specification|[Cc]an't open user config file|[Cc]onfiguration file .* (?:not found|bad)|terminating, \d+ bad configuration options|Bad owner or permissions on|administratively prohibited|Unsupported option|Could not request local forwarding|command-line line \d+:|Cannot assign requested address/,
  );
  if (config) {
    return failure('config', `ssh refused the route's configuration: ${config.line}`, config.line);
  }

  // --- DNS
  const dns = find(lines, /Could not resolve hostname (\S+?):? (.*)$/);
  if (dns) {
    return failure('dns', `host name ${dns.match[1] ?? ''} could not be resolved: ${dns.match[2] ?? ''}`, dns.line, {
      hop: dns.match[1] ?? '',
    });
  }

  // --- the jump host could not reach the next hop
  const openFailed = find(lines, /^channel \d+: open failed: (?:connect failed: )?(.*)$/);
  const stdioFailed = find(lines, /stdio forwarding failed/);
  if (openFailed && stdioFailed) {
    return failure(
      'unreachable',
      `the jump host could not connect to the next hop: ${openFailed.match[1] ?? openFailed.line}`,
      evidenceOf(openFailed.line, stdioFailed.line),
    );
  }

  // --- network
  const connect = find(lines, /connect to host (\S+) port (\d+): (.*)$/);
  const timeout = find(lines, /^Timeout, server (\S+) not responding/);
  const closed = find(lines, /^Connection to (\S+) closed by remote host|^Connection closed by (\S+) port|^Connection reset by (\S+) port/);
  const other = find(
    lines,
    /Broken pipe|Connection timed out during banner exchange|kex_exchange_identification|ssh_exchange_identification|Network is unreachable|No route to host|Connection refused|Connection reset|Operation timed out/,
  );
  if (connect) {
    return failure('network', `cannot connect to ${connect.match[1] ?? ''} port ${connect.match[2] ?? ''}: ${connect.match[3] ?? ''}`, connect.line, {
      hop: connect.match[1] ?? '',
    });
  }
  if (timeout) {
    return failure('network', `the link is dead: server ${timeout.match[1] ?? ''} stopped answering keepalives`, timeout.line, {
      hop: timeout.match[1] ?? '',
    });
  }
  if (closed) {
    const host = closed.match[1] ?? closed.match[2] ?? closed.match[3] ?? '';
    return failure('network', `the connection was closed by ${host}`, closed.line, { hop: host });
  }
  if (other) return failure('network', `network failure: ${other.line}`, other.line);

  const last = lines.at(-1);
  const how =
    signal !== null ? `ssh was killed by ${signal}` : exitCode === 0 ? 'ssh exited with status 0 (told to stop?)' : `ssh exited with status ${String(exitCode)}`;
  return failure('unknown', last === undefined ? how : `${how}: ${last}`, last ?? '');
}
