/**
 * A loopback SSH lab for route tests (connectivity-notes.md §1.0, §5.4 level 2): two REAL OpenSSH
 * servers on 127.0.0.1, a "jump" host and a "workstation" (`ws`, reached with ProxyJump through
 * the jump), trusting a test user CA, plus a client side: an ed25519 user key, a short-lived user
 * certificate (`ssh-keygen -s ca -V …`), known_hosts and an ssh_config with `Host jump`,
 * `Host ws` (`ProxyJump jump`) and `Host *` (key, certificate, strict host keys, no agent).
 *
 * The servers are unprivileged: they run as one OS user (the current user, or `ecfssh` created for
 * the purpose when the tests run as root) with `UsePAM no`, `StrictModes no`, and can only log that
 * user in; `AuthorizedKeysFile none`, so only certificates are accepted. Ports come from
 * 45000-45999. Both are started through `setpriv --pdeathsig KILL` (they die with the test process)
 * and logged with LogLevel VERBOSE to files (`-E`), so tests can count authentication attempts.
 *
 * @example
 *   const lab = await startSshLab({ validity: '-1m:+2m' });
 *   try {
 *     const route = new RouteSupervisor({ name: 'lab', destination: 'ws', sshConfig: lab.sshConfig });
 *     ...
 *   } finally {
 *     await lab.stop();
 *   }
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import { chmod, chown, mkdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { waitForListen } from './listen.js';
import { currentUser, ensureUser, type OsUser } from './os-user.js';
import { freePort } from './ports.js';
import { guardPid, isAlive, runOk, setprivPrefix, unguardPid } from './run.js';
import { makeTempDir, removeTempDir } from './tmp.js';

export const SSHD_BIN = '/usr/sbin/sshd';

export interface SshLabOptions {
  /** Validity of the first certificate (`ssh-keygen -V`), default `-1m:+10m`. */
  readonly validity?: string;
  /** Principal of the first certificate; default the login user. */
  readonly principal?: string;
}

export type LabHost = 'jump' | 'ws';

export interface SshLab {
  readonly dir: string;
  /** The OS user both servers run as and log in. */
  readonly user: string;
  readonly jumpPort: number;
  readonly wsPort: number;
  /** Client ssh_config with Host jump / ws / *. */
  readonly sshConfig: string;
  readonly identityFile: string;
  readonly certificateFile: string;
  readonly knownHosts: string;
  readonly caKey: string;
  readonly jumpLog: string;
  readonly wsLog: string;
  /** PIDs of the listening sshd processes. */
  pid(host: LabHost): number;
  /** Signs the user key again (`ssh-keygen -s ca -V <validity>`), overwriting `certificateFile` (or `path`). */
  issueCertificate(validity: string, options?: { principal?: string; path?: string; keyId?: string }): Promise<void>;
  /** The `ssh-keygen -s …` argv that {@link issueCertificate} runs (for a test's login_command). */
  issueCommand(validity: string): string[];
  /** How many lines of a server log match `re`. */
  countLog(host: LabHost, re: RegExp): number;
  /** The server log text. */
  logText(host: LabHost): string;
  /** PIDs of a server's per-connection processes (descendants of the listener). */
  sessionPids(host: LabHost): number[];
  /** The server's host key as an OpenSSH public key line, and its SHA256 fingerprint. */
  hostKey(host: LabHost): Promise<{ publicKey: string; fingerprint: string }>;
  /** Rewrites known_hosts; `wrongKeyFor` puts another (freshly made) key in for that host. */
  writeKnownHosts(options?: { wrongKeyFor?: LabHost; omit?: LabHost }): Promise<void>;
  stop(): Promise<void>;
}

/** PIDs of all descendants of `root` (from /proc). */
export function descendants(root: number): number[] {
  const children = new Map<number, number[]>();
  for (const name of readdirSync('/proc')) {
    if (!/^\d+$/.test(name)) continue;
    try {
      const stat = readFileSync(`/proc/${name}/stat`, 'utf8');
      const ppid = Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]);
      const list = children.get(ppid) ?? [];
      list.push(Number(name));
      children.set(ppid, list);
    } catch {
      // gone meanwhile
    }
  }
  const out: number[] = [];
  const walk = (pid: number): void => {
    for (const c of children.get(pid) ?? []) {
      out.push(c);
      walk(c);
    }
  };
  walk(root);
  return out;
}

async function keygen(path: string, comment: string): Promise<void> {
  await runOk('ssh-keygen', ['-q', '-t', 'ed25519', '-N', '', '-C', comment, '-f', path]);
}

/** Starts the jump and workstation servers and writes the client files. */
export async function startSshLab(options: SshLabOptions = {}): Promise<SshLab> {
  const me = currentUser();
  const runAs: OsUser = me.uid === 0 ? await ensureUser('ecfssh') : me;
  const dir = await makeTempDir('sshlab');
  await chmod(dir, 0o711);
  const serverDir = join(dir, 'server');
  await mkdir(serverDir, { mode: 0o700 });
  const clientDir = join(dir, 'client');
  await mkdir(clientDir, { mode: 0o700 });

  const caKey = join(clientDir, 'ca');
  const identityFile = join(clientDir, 'id');
  const certificateFile = `${identityFile}-cert.pub`;
  const knownHosts = join(clientDir, 'known_hosts');
  const sshConfig = join(clientDir, 'ssh_config');
  await keygen(caKey, 'test user CA');
  await keygen(identityFile, 'route-test');
  const hostKeyPath = (host: LabHost): string => join(serverDir, `${host}_host_key`);
  for (const host of ['jump', 'ws'] as const) await keygen(hostKeyPath(host), `${host} host key`);
  await writeFile(join(serverDir, 'ca.pub'), await readFile(`${caKey}.pub`));

  // ssh-keygen writes <key>-cert.pub next to the public key (= certificateFile).
  const issueCommand = (validity: string, principal = runAs.name, keyId = 'route-test'): string[] => [
    'ssh-keygen', '-q', '-s', caKey, '-I', keyId, '-n', principal, '-V', validity, `${identityFile}.pub`,
  ];
  const issueCertificate = async (validity: string, opts: { principal?: string; path?: string; keyId?: string } = {}): Promise<void> => {
    const [cmd, ...args] = issueCommand(validity, opts.principal, opts.keyId);
    await runOk(cmd ?? 'ssh-keygen', args);
    if (opts.path !== undefined && opts.path !== certificateFile) {
      await writeFile(opts.path, await readFile(certificateFile));
    }
  };
  await issueCertificate(options.validity ?? '-1m:+10m', options.principal === undefined ? {} : { principal: options.principal });

  const ports = { jump: await freePort({ min: 45000, max: 45999, host: '127.0.0.1' }), ws: await freePort({ min: 45000, max: 45999, host: '127.0.0.1' }) };
  const logs = { jump: join(serverDir, 'jump.log'), ws: join(serverDir, 'ws.log') };
  for (const host of ['jump', 'ws'] as const) {
    await writeFile(
      join(serverDir, `sshd_${host}.conf`),
      [
        `Port ${ports[host]}`,
        'ListenAddress 127.0.0.1',
        `HostKey ${hostKeyPath(host)}`,
        `PidFile ${join(serverDir, `sshd_${host}.pid`)}`,
        `TrustedUserCAKeys ${join(serverDir, 'ca.pub')}`,
        'AuthorizedKeysFile none',
        'PasswordAuthentication no',
        'KbdInteractiveAuthentication no',
        'UsePAM no',
        'StrictModes no',
        'AllowTcpForwarding yes',
        'PermitTTY no',
        'LogLevel VERBOSE',
        // Dead-link detection must be ours (client side), not the server's.
        'ClientAliveInterval 0',
        '',
      ].join('\n'),
    );
  }
  if (runAs.uid !== me.uid) {
    for (const name of readdirSync(serverDir)) await chown(join(serverDir, name), runAs.uid, runAs.gid);
    await chown(serverDir, runAs.uid, runAs.gid);
  }

  const servers = new Map<LabHost, ChildProcess>();
  const stop = async (): Promise<void> => {
    for (const child of servers.values()) {
      if (child.pid === undefined) continue;
      for (const pid of descendants(child.pid)) {
        try {
          process.kill(pid, 'SIGCONT');
          process.kill(pid, 'SIGKILL');
        } catch {
          // gone
        }
      }
      try {
        process.kill(child.pid, 'SIGKILL');
      } catch {
        // gone
      }
      unguardPid(child.pid);
    }
    const deadline = Date.now() + 5000;
    while ([...servers.values()].some((c) => c.pid !== undefined && isAlive(c.pid)) && Date.now() < deadline) {
      await new Promise((r) => setTimeout(r, 20));
    }
    servers.clear();
    await removeTempDir(dir);
  };

  try {
    for (const host of ['jump', 'ws'] as const) {
      const child = spawn(
        'setpriv',
        [...setprivPrefix(runAs.uid === me.uid ? undefined : runAs), SSHD_BIN, '-D', '-f', join(serverDir, `sshd_${host}.conf`), '-E', logs[host]],
        { stdio: 'ignore', cwd: serverDir },
      );
      if (child.pid === undefined) throw new Error('cannot spawn setpriv/sshd');
      guardPid(child.pid);
      servers.set(host, child);
    }
    for (const host of ['jump', 'ws'] as const) {
      const pid = servers.get(host)?.pid ?? 0;
      await waitForListen(pid, ports[host], 10_000, () => {
        try {
          return readFileSync(logs[host], 'utf8');
        } catch {
          return '(no log)';
        }
      });
    }
  } catch (e) {
    await stop();
    throw e;
  }

  const hostKey = async (host: LabHost): Promise<{ publicKey: string; fingerprint: string }> => {
    const publicKey = (await readFile(`${hostKeyPath(host)}.pub`, 'utf8')).trim().split(/\s+/).slice(0, 2).join(' ');
    const r = await runOk('ssh-keygen', ['-l', '-E', 'sha256', '-f', `${hostKeyPath(host)}.pub`]);
    return { publicKey, fingerprint: r.stdout.split(/\s+/)[1] ?? '' };
  };
  const writeKnownHosts = async (opts: { wrongKeyFor?: LabHost; omit?: LabHost } = {}): Promise<void> => {
    const lines: string[] = [];
    for (const host of ['jump', 'ws'] as const) {
      if (opts.omit === host) continue;
      let key = (await hostKey(host)).publicKey;
      if (opts.wrongKeyFor === host) {
        const other = join(clientDir, `other_${host}_key`);
        await runOk('rm', ['-f', other, `${other}.pub`]);
        await keygen(other, 'not the real host key');
        key = (await readFile(`${other}.pub`, 'utf8')).trim().split(/\s+/).slice(0, 2).join(' ');
      }
      lines.push(`[127.0.0.1]:${ports[host]} ${key}`);
    }
    await writeFile(knownHosts, `${lines.join('\n')}\n`, { mode: 0o600 });
  };
  await writeKnownHosts();
  await writeFile(
    sshConfig,
    [
      'Host jump',
      '  HostName 127.0.0.1',
      `  Port ${ports.jump}`,
      'Host ws',
      '  HostName 127.0.0.1',
      `  Port ${ports.ws}`,
      '  ProxyJump jump',
      'Host *',
      `  User ${runAs.name}`,
      `  IdentityFile ${identityFile}`,
      `  CertificateFile ${certificateFile}`,
      '  IdentitiesOnly yes',
      '  IdentityAgent none',
      `  UserKnownHostsFile ${knownHosts}`,
      '  GlobalKnownHostsFile /dev/null',
      '  StrictHostKeyChecking yes',
      '  BatchMode yes',
      '',
    ].join('\n'),
    { mode: 0o600 },
  );

  const logText = (host: LabHost): string => {
    try {
      return readFileSync(logs[host], 'utf8');
    } catch {
      return '';
    }
  };
  return {
    dir,
    user: runAs.name,
    jumpPort: ports.jump,
    wsPort: ports.ws,
    sshConfig,
    identityFile,
    certificateFile,
    knownHosts,
    caKey,
    jumpLog: logs.jump,
    wsLog: logs.ws,
    pid: (host) => servers.get(host)?.pid ?? 0,
    issueCertificate,
    issueCommand: (validity) => issueCommand(validity),
    countLog: (host, re) => logText(host).split('\n').filter((l) => re.test(l)).length,
    logText,
    sessionPids: (host) => descendants(servers.get(host)?.pid ?? 0),
    hostKey,
    writeKnownHosts,
    stop,
  };
}

/** The small surface of a route that {@link waitForRouteState} needs (keeps this helper independent). */
export interface RouteLike {
  readonly state: string;
  on(event: 'state', listener: (status: { state: string }) => void): unknown;
  off(event: 'state', listener: (status: { state: string }) => void): unknown;
}

/** Resolves when `route` is in one of `states` (now or later); rejects after `timeoutMs`. */
export function waitForRouteState(route: RouteLike, states: string | readonly string[], timeoutMs = 30_000): Promise<void> {
  const wanted = typeof states === 'string' ? [states] : states;
  if (wanted.includes(route.state)) return Promise.resolve();
  return new Promise((resolve, reject) => {
    const listener = (status: { state: string }): void => {
      if (!wanted.includes(status.state)) return;
      clearTimeout(timer);
      route.off('state', listener);
      resolve();
    };
    const timer = setTimeout(() => {
      route.off('state', listener);
      reject(new Error(`route not in state ${wanted.join('|')} after ${timeoutMs} ms (now: ${route.state})`));
    }, timeoutMs);
    route.on('state', listener);
  });
}
