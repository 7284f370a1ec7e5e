/**
 * The "routes to the centre" lab: a user at home, a jump host and a centre, built from Linux network
 * namespaces, real sshd (user CA, short-lived certificates), real ecflow_server and ecflow_logsvr.
 * For end-to-end tests of SSH routes, SOCKS with remote DNS, forwards and their failures.
 *
 *   home ──► jump.centre.test:22 (sshd) ──► workstation:22 (sshd) ──► machine1:4141  ecflow_server A
 *                                                                   machine2:4142  ecflow_server B
 *                                                                   logserver1:9316, logserver2:9316
 *
 * - home resolves only `jump.centre.test`, has no route into the centre, and the centre's firewall
 *   (nft, when available) drops everything from home except TCP 22 on the jump address.
 * - Both sshd run as root in the centre namespace and accept only certificates of the lab's user CA
 *   for the centre user (`ecuser`, created if missing, with a usable shell and a non-locked
 *   password field — sshd with `UsePAM no` refuses locked `!` accounts).
 * - The HOME side runs as root: ssh uses `-F <user.sshConfig>` (Host `jump`, Host `ws` with
 *   ProxyJump jump, the key + certificate, known_hosts with both host keys, StrictHostKeyChecking
 *   yes, BatchMode yes). homeExec({ asUser }) runs a command as another local user (for ecFlow
 *   white lists that check the login name).
 * - The servers and log servers are described in ecflow-centre.ts; the network in netns.ts.
 * - stop() kills every process in the lab's namespaces (servers, jobs, sshd sessions, anything a test
 *   started at home, also `ssh -f` daemons), deletes the namespaces (their veths go with them),
 *   /etc/netns/<ns>/ and the lab's files. A process 'exit' hook does the same synchronously when a
 *   test fails or is interrupted; a lab left by a SIGKILLed test process is swept by the next lab.
 *   Set ECFLOW_TEST_KEEP=1 to keep the lab's files (not the namespaces) for a post-mortem.
 *
 * @example
 *   const cap = await canBuildLab();
 *   if (!cap.ok) return t.skip(cap.reason);
 *   const lab = await startCentreLab();
 *   t.after(() => lab.stop());
 *   const master = lab.homeSpawn(['ssh', '-F', lab.user.sshConfig, '-N', '-D', '127.0.0.1:1080', 'ws']);
 *   await lab.waitHomePort(1080);
 *   const v = await lab.homeSocks(1080, 'logserver1', 9316, { send: 'version\n' });   // v.data === '2'
 *   await lab.issueCertificate({ validFor: '-1m' });                                   // expired
 *   lab.killJumpConnections();                                                          // master dies
 */
import { readFileSync, rmSync } from 'node:fs';
import { chmod, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { EnvPatch } from '../env.js';
import { ensureUser, lookupUser, type OsUser } from '../os-user.js';
import { type RunResult, runCommand, runOk } from '../run.js';
import { keepTempFiles, makeTempDir, removeTempDir } from '../tmp.js';
import { canBuildLab } from './capability.js';
import { type CentreEcflowServer, type CentreLogServer, startCentreServer, startLogServer } from './ecflow-centre.js';
import {
  createLabNetwork,
  destroyLabNetwork,
  LAB_ADDRESSES,
  LAB_NAMES,
  type LabHost,
  type LabLinks,
  type LabNamespaces,
  namespaceOf,
  newLabId,
  sweepStaleLabs,
} from './netns.js';
import { type HomeProcess, type HomeSpawnOptions, spawnHomeProcess } from './home-process.js';
import { type Daemon, nsRun, spawnDaemon } from './ns-exec.js';
import { killTree, waitListening } from './procs.js';
import {
  type CertificateOptions,
  type IssuedCertificate,
  issueCertificate,
  knownHostsText,
  makeSshLabFiles,
} from './ssh-lab.js';

export { canBuildLab, type LabCapability } from './capability.js';
export type { CentreEcflowServer, CentreLogServer } from './ecflow-centre.js';
export { LAB_ADDRESSES, LAB_NAMES, type LabHost } from './netns.js';
export type { CertificateOptions, IssuedCertificate } from './ssh-lab.js';
export type { HomeProcess, HomeSpawnOptions } from './home-process.js';

export interface CentreLabOptions {
  /** Centre login (sshd) and the only name on the servers' white lists. Default 'ecuser'. */
  centreUser?: string;
  /** OS user running ecflow_server and ecflow_logsvr. Default 'ecfop'. */
  serverUser?: string;
  /** Start the ecFlow servers and log servers (default true); false → network + sshd only (faster). */
  ecflow?: boolean;
  /** nft firewall in the centre: 'auto' (default: when `nft` works here), true (required), false. */
  firewall?: boolean | 'auto';
  /** Validity of the first certificate (see CertificateOptions.validFor). Default '+1h'. */
  certValidFor?: string;
  /** Password of the centre user on server B (ECF_CUSTOM_PASSWD). Default 'lab-secret'. */
  serverBPassword?: string;
  /** Per-step readiness timeout, default 20 s. */
  startTimeoutMs?: number;
}

export interface ProbeResult {
  ok: boolean;
  /** Where the probe stopped: 'connect' | 'socks-greeting' | 'socks-connect' | 'read'. */
  stage: string;
  error?: string;
  data: string;
  ms: number;
}

export interface ProbeOptions {
  /** Text written after connecting (e.g. 'version\n' for a log server). */
  send?: string;
  /** Connect and read timeout, default 3000 ms. */
  timeoutMs?: number;
  /** Stop at the first bytes received (for banners; default: read until the peer closes). */
  first?: boolean;
}

export interface HomeExecOptions {
  /** Run as this local OS user (created if missing) instead of root. */
  asUser?: string;
  cwd?: string;
  timeoutMs?: number;
  input?: string;
}

export interface CentreLab {
  /** 6 hex digits, part of every namespace and interface name. */
  readonly id: string;
  /** The lab's working directory (ssh files, server homes, logs). */
  readonly dir: string;
  readonly ns: LabNamespaces;
  readonly links: LabLinks;
  readonly addresses: typeof LAB_ADDRESSES;
  readonly names: typeof LAB_NAMES;
  /** Whether the nft firewall is in place. */
  readonly firewall: boolean;
  readonly centreUser: string;
  readonly serverUser: string;
  /** The user CA (private key + public key used as TrustedUserCAKeys). */
  readonly ca: { key: string; pub: string };
  /** The home user's files (the home side runs as root). */
  readonly user: {
    name: string;
    privateKey: string;
    publicKey: string;
    certificate: string;
    sshConfig: string;
    knownHosts: string;
  };
  readonly hostKeys: { jump: string; workstation: string };
  readonly sshd: {
    jump: { pid: number; config: string; log: string };
    workstation: { pid: number; config: string; log: string };
  };
  /** Absent when started with `ecflow: false`. */
  readonly servers: { a: CentreEcflowServer; b: CentreEcflowServer };
  readonly logServers: { logserver1: CentreLogServer; logserver2: CentreLogServer };
  /** The certificate currently in `user.certificate`. */
  readonly certificate: IssuedCertificate;
  /** Milliseconds per start phase and in total. */
  readonly timings: Record<string, number>;

  /** Signs a new certificate and replaces `user.certificate` (e.g. `{ validFor: '-1m' }` = expired). */
  issueCertificate(options?: CertificateOptions): Promise<IssuedCertificate>;
  /** Rewrites known_hosts so that `host` (default 'ws') has another key: "HOST IDENTIFICATION HAS CHANGED". */
  wrongHostKey(host?: 'jump' | 'ws'): Promise<void>;
  /** Writes the correct known_hosts again. */
  restoreHostKeys(): Promise<void>;
  /** `ip -n <home> link set <veth> down` / `up` (the route to the jump host disappears / returns). */
  linkDown(): Promise<void>;
  linkUp(): Promise<void>;
  /**
   * Signals the per-connection processes of the jump sshd (default SIGKILL = server-side drop;
   * 'SIGSTOP'/'SIGCONT' = a silent blackhole and back). Returns the PIDs signalled.
   */
  killJumpConnections(signal?: NodeJS.Signals): number[];
  /** The same for the workstation's sshd. */
  killWorkstationConnections(signal?: NodeJS.Signals): number[];

  /** Runs a program inside the home namespace (as root, or `asUser`) and captures its output. */
  homeExec(argv: readonly string[], env?: EnvPatch, options?: HomeExecOptions): Promise<RunResult>;
  /** Starts a long-running program inside the home namespace (e.g. `ecflow-remote up`). */
  homeSpawn(argv: readonly string[], env?: EnvPatch, options?: HomeSpawnOptions): HomeProcess;
  /**
   * Runs a program on a centre host, as root (or `asUser`), with that host's name as its hostname
   * (jump and workstation share the centre's network namespace).
   */
  centreExec(host: LabHost, argv: readonly string[], env?: EnvPatch, options?: HomeExecOptions): Promise<RunResult>;
  /** Plain TCP from home: connect, optionally send, read (see probe.ts). */
  homeTcp(host: string, port: number, options?: ProbeOptions): Promise<ProbeResult>;
  /** From home through a SOCKS5 port in the home namespace (127.0.0.1:socksPort), host name sent as is. */
  homeSocks(socksPort: number, host: string, port: number, options?: ProbeOptions): Promise<ProbeResult>;
  /** Waits until something in home listens on 127.0.0.1:port (e.g. an ssh -D/-L). */
  waitHomePort(port: number, timeoutMs?: number): Promise<void>;
  /** Holds a TCP port on 127.0.0.1 in home (random when omitted) until release(). */
  busyHomePort(port?: number): Promise<{ port: number; release(): Promise<void> }>;
  /** Writes a file in the lab dir readable by every user; returns its path. */
  writeFile(name: string, content: string): Promise<string>;
  /** Kills everything, deletes the namespaces and files. Idempotent. */
  stop(): Promise<void>;
}

const PROBE = fileURLToPath(new URL('./probe.js', import.meta.url));

/** Labs of this process that are not stopped yet (torn down by the exit hook). */
const liveLabs = new Map<string, string>(); // id -> dir
let exitHooked = false;

function hookExit(): void {
  if (exitHooked) return;
  exitHooked = true;
  process.on('exit', () => {
    for (const [id, dir] of liveLabs) {
      destroyLabNetwork(id);
      if (!keepTempFiles()) rmSync(dir, { recursive: true, force: true });
    }
    liveLabs.clear();
  });
}

/**
 * The centre user: created if missing; made usable for sshd (a shell, password field '*' not '!').
 * Another test may have created it with ensureUser() (nologin, locked), hence the fix-up.
 */
async function ensureLoginUser(name: string): Promise<OsUser> {
  const user = await ensureUser(name);
  const shadow = await runCommand('getent', ['shadow', name], { timeoutMs: 10_000 });
  const passwd = await runCommand('getent', ['passwd', name], { timeoutMs: 10_000 });
  const args: string[] = [];
  if ((shadow.stdout.split(':')[1] ?? '').startsWith('!')) args.push('-p', '*');
  if (/(nologin|false)$/.test(passwd.stdout.trim())) args.push('-s', '/bin/bash');
  for (let attempt = 0; args.length > 0 && attempt < 20; attempt++) {
    const r = await runCommand('usermod', [...args, name], { timeoutMs: 30_000 });
    if (r.code === 0) break;
    if (r.code !== 10 && r.code !== 1) throw new Error(`usermod ${args.join(' ')} ${name} failed: ${r.stderr}`);
    await new Promise((res) => setTimeout(res, 100 + Math.random() * 300)); // /etc/passwd locked
  }
  return (await lookupUser(name)) ?? user;
}

function parseProbe(r: RunResult): ProbeResult {
  const line = r.stdout.trim().split('\n').pop() ?? '';
  try {
    return JSON.parse(line) as ProbeResult;
  } catch {
    const error = `probe failed (code ${r.code}): ${r.stderr.trim()} ${r.stdout.trim()}`;
    return { ok: false, stage: 'connect', error, data: '', ms: r.ms };
  }
}

function probeArgs(o: ProbeOptions): string[] {
  return [
    '--timeout',
    String(o.timeoutMs ?? 3000),
    ...(o.send === undefined ? [] : ['--send', o.send]),
    ...(o.first ? ['--first'] : []),
  ];
}

/** Starts the lab (see the module comment). Throws (after cleaning up) if it cannot be built. */
export async function startCentreLab(options: CentreLabOptions = {}): Promise<CentreLab> {
  const t0 = performance.now();
  const timings: Record<string, number> = {};
  const mark = (name: string, since: number): number => {
    const now = performance.now();
    timings[name] = Math.round(now - since);
    return now;
  };
  const cap = await canBuildLab({ ecflow: options.ecflow !== false });
  if (!cap.ok) throw new Error(`cannot build the centre lab: ${cap.reason}`);
  if (options.firewall === true && !cap.firewall) {
    throw new Error('centre lab: firewall required but nft is missing or refused (Debian package nftables)');
  }
  const firewall = options.firewall === false ? false : cap.firewall;
  const timeoutMs = options.startTimeoutMs ?? 20_000;
  const centreUserName = options.centreUser ?? 'ecuser';
  const serverUserName = options.serverUser ?? 'ecfop';
  const password = options.serverBPassword ?? 'lab-secret';
  hookExit();
  sweepStaleLabs();

  let t = performance.now();
  const dir = await makeTempDir('centre-lab');
  await chmod(dir, 0o711); // ecfop must reach the servers' ECF_HOME below it
  const id = newLabId();
  liveLabs.set(id, dir);
  const daemons: Daemon[] = [];
  const homeProcs = new Set<HomeProcess>();
  let stopping: Promise<void> | undefined;
  const stop = (): Promise<void> => {
    stopping ??= (async () => {
      for (const p of homeProcs) killTree(p.pid, 'SIGKILL');
      for (const d of daemons) killTree(d.pid, 'SIGKILL');
      destroyLabNetwork(id);
      liveLabs.delete(id);
      const exits = [...daemons.map((d) => d.exited), ...[...homeProcs].map((p) => p.exited)];
      await Promise.race([Promise.all(exits), sleep(2000)]);
      await removeTempDir(dir);
    })();
    return stopping;
  };

  try {
    const [files, centreUser, op] = await Promise.all([
      makeSshLabFiles(dir, centreUserName),
      ensureLoginUser(centreUserName),
      ensureUser(serverUserName),
      runOk('mkdir', ['-p', '-m', '0755', '/run/sshd']),
    ]);
    let serial = 1;
    let currentCert = await issueCertificate(files, centreUserName, serial, { validFor: options.certValidFor ?? '+1h' });
    t = mark('keysAndUsers', t);

    const net = createLabNetwork(id, firewall, dir);
    t = mark('network', t);

    const sshd = (name: 'jump' | 'workstation', config: string, log: string): Daemon =>
      spawnDaemon(`sshd ${name}`, net.ns.centre, ['/usr/sbin/sshd', '-D', '-f', config, '-E', log], {
        hostname: name,
        cwd: '/',
        outputFile: join(dir, `sshd_${name}.stdout`),
      });
    const jump = sshd('jump', files.jumpConfig, files.jumpLog);
    const ws = sshd('workstation', files.wsConfig, files.wsLog);
    daemons.push(jump, ws);
    const sshdReady = Promise.all([
      waitListening(jump.pid, 22, timeoutMs, () => tailOf(files.jumpLog)),
      waitListening(ws.pid, 22, timeoutMs, () => tailOf(files.wsLog)),
    ]);
    sshdReady.catch(() => undefined); // awaited below; an early failure must not count as unhandled

    let servers: CentreLab['servers'] | undefined;
    let logServers: CentreLab['logServers'] | undefined;
    if (options.ecflow !== false) {
      const spec = { ns: net.ns, dir, op, user: centreUserName, password, timeoutMs };
      // A server that fails while the other starts is still killed by stop(): it lives in a lab namespace.
      const [a, b] = await Promise.all([startCentreServer({ ...spec, name: 'a' }), startCentreServer({ ...spec, name: 'b' })]);
      daemons.push(a.daemon, b.daemon);
      servers = { a, b };
      const [l1, l2] = await Promise.all([
        startLogServer('logserver1', net.ns, dir, op, [a.ecfHome], timeoutMs),
        startLogServer('logserver2', net.ns, dir, op, [b.ecfHome], timeoutMs),
      ]);
      daemons.push(l1.daemon, l2.daemon);
      logServers = { logserver1: l1, logserver2: l2 };
    }
    await sshdReady;
    t = mark('daemons', t);

    const execIn = async (
      ns: string,
      hostname: string | undefined,
      argv: readonly string[],
      env?: EnvPatch,
      o: HomeExecOptions = {},
    ): Promise<RunResult> => {
      const asUser = o.asUser === undefined ? undefined : await ensureUser(o.asUser);
      return nsRun(ns, argv, {
        ...(asUser ? { asUser } : {}),
        ...(hostname === undefined ? {} : { hostname }),
        ...(env ? { env } : {}),
        ...(o.cwd === undefined ? {} : { cwd: o.cwd }),
        ...(o.timeoutMs === undefined ? {} : { timeoutMs: o.timeoutMs }),
        ...(o.input === undefined ? {} : { input: o.input }),
      });
    };
    const homeExec: CentreLab['homeExec'] = (argv, env, o) => execIn(net.ns.home, undefined, argv, env, o);

    const homeSpawn: CentreLab['homeSpawn'] = (argv, env, o = {}) => {
      const proc = spawnHomeProcess(net.ns.home, argv, env, { cwd: dir, ...o });
      homeProcs.add(proc);
      void proc.exited.then(() => homeProcs.delete(proc));
      return proc;
    };

    const probe = async (args: string[]): Promise<ProbeResult> =>
      parseProbe(await nsRun(net.ns.home, [process.execPath, PROBE, ...args], { timeoutMs: 30_000 }));

    const lab: CentreLab = {
      id,
      dir,
      ns: net.ns,
      links: net.links,
      addresses: LAB_ADDRESSES,
      names: LAB_NAMES,
      firewall,
      centreUser: centreUser.name,
      serverUser: op.name,
      ca: { key: files.caKey, pub: files.caPub },
      user: {
        name: centreUser.name,
        privateKey: files.privateKey,
        publicKey: files.publicKey,
        certificate: files.certificate,
        sshConfig: files.sshConfig,
        knownHosts: files.knownHosts,
      },
      hostKeys: { jump: files.hostKeys.jump, workstation: files.hostKeys.workstation },
      sshd: {
        jump: { pid: jump.pid, config: files.jumpConfig, log: files.jumpLog },
        workstation: { pid: ws.pid, config: files.wsConfig, log: files.wsLog },
      },
      get servers() {
        if (!servers) throw new Error('centre lab started with ecflow: false has no ecFlow servers');
        return servers;
      },
      get logServers() {
        if (!logServers) throw new Error('centre lab started with ecflow: false has no log servers');
        return logServers;
      },
      get certificate() {
        return currentCert;
      },
      timings,
      async issueCertificate(o) {
        currentCert = await issueCertificate(files, centreUserName, ++serial, o);
        return currentCert;
      },
      wrongHostKey: (host = 'ws') => writeFile(files.knownHosts, knownHostsText(files.hostKeys, host), { mode: 0o600 }),
      restoreHostKeys: () => writeFile(files.knownHosts, files.knownHostsText, { mode: 0o600 }),
      linkDown: async () => {
        await runOk('ip', ['-n', net.ns.home, 'link', 'set', net.links.home, 'down']);
      },
      linkUp: async () => {
        await runOk('ip', ['-n', net.ns.home, 'link', 'set', net.links.home, 'up']);
      },
      killJumpConnections: (sig = 'SIGKILL') => killTree(jump.pid, sig, { keepRoot: true }),
      killWorkstationConnections: (sig = 'SIGKILL') => killTree(ws.pid, sig, { keepRoot: true }),
      homeExec,
      homeSpawn,
      centreExec: (host, argv, env, o) => execIn(namespaceOf(net.ns, host), host, argv, env, o),
      homeTcp: (host, port, o = {}) => probe(['tcp', host, String(port), ...probeArgs(o)]),
      homeSocks: (socksPort, host, port, o = {}) =>
        probe(['socks', '127.0.0.1', String(socksPort), host, String(port), ...probeArgs(o)]),
      async waitHomePort(port, ms = 10_000) {
        const deadline = performance.now() + ms;
        for (;;) {
          const r = await homeExec(['ss', '-Hltn', `sport = :${port}`]);
          if (r.stdout.trim() !== '') return;
          if (performance.now() > deadline) throw new Error(`nothing listens on port ${port} in ${net.ns.home} after ${ms} ms`);
          await sleep(50);
        }
      },
      async busyHomePort(port) {
        const p = homeSpawn([process.execPath, PROBE, 'listen', '127.0.0.1', String(port ?? 0)]);
        const text = await p.waitForOutput(/"listening":\d+|"error"/);
        const m = /"listening":(\d+)/.exec(text);
        if (!m?.[1]) {
          await p.kill('SIGKILL');
          throw new Error(`busyHomePort: ${text}`);
        }
        return { port: Number(m[1]), release: () => p.kill('SIGKILL') };
      },
      async writeFile(name, content) {
        const path = join(dir, 'files', name);
        await runOk('mkdir', ['-p', '-m', '0755', join(dir, 'files')]);
        await writeFile(path, content, { mode: 0o644 });
        return path;
      },
      stop,
    };
    timings['total'] = Math.round(performance.now() - t0);
    return lab;
  } catch (e) {
    await stop();
    throw e;
  }
}

const sleep = (ms: number): Promise<undefined> => new Promise((r) => setTimeout(() => r(undefined), ms));

function tailOf(path: string, lines = 30): string {
  try {
    return `--- ${path}\n${readFileSync(path, 'utf8').split('\n').slice(-lines).join('\n')}`;
  } catch {
    return `--- ${path} (missing)`;
  }
}
