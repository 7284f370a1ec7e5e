/**
 * The network of the "routes to the centre" lab: Linux network namespaces, veth links, per-namespace
 * /etc/hosts and resolv.conf (/etc/netns/<ns>/), and the centre's nftables firewall
 * (shared/connectivity-notes.md §5.4, extended to one namespace per centre host that runs a service).
 *
 *   home (10.231.0.2) ──veth── centre: jump.centre.test 10.231.0.1 (veth), workstation 10.232.0.10 (lo)
 *                                 ├─veth─ machine1   10.232.0.11   (ecflow_server A :4141)
 *                                 ├─veth─ machine2   10.232.0.12   (ecflow_server B :4142)
 *                                 ├─veth─ logserver1 10.232.0.21   (ecflow_logsvr :9316)
 *                                 └─veth─ logserver2 10.232.0.22   (ecflow_logsvr :9316)
 *
 * - Why a namespace per service host: ecflow_logsvr binds 0.0.0.0:<LOGPORT> (perl IO::Socket::INET,
 *   no address option), so two log servers on port 9316 need two network stacks. It also makes
 *   "server A is on machine1 only" true (machine2:4141 is refused).
 * - home has no route into 10.232.0.0/16 ("Network is unreachable"), resolves only
 *   jump.centre.test, and the centre drops everything from home except TCP 22 on 10.231.0.1 (nft,
 *   when the `nft` program exists). The centre does not forward packets (ip_forward stays 0), so the
 *   service hosts talk to the centre's own addresses only (workstation, jump), not to each other.
 * - Names: /etc/netns/<ns>/{hosts,resolv.conf,nsswitch.conf} are bind-mounted over /etc/ by
 *   `ip netns exec` ONLY (not by `ip -n`, nsenter or setns), and only over files that exist in /etc.
 *   resolv.conf points at 127.0.0.1 where nothing listens, so an unknown name fails at once
 *   (getent rc 2) instead of waiting for a DNS timeout; nsswitch.conf says
 *   `hosts: files dns` so that no host-wide resolver (systemd-resolved, mdns) answers instead.
 *
 * Everything a lab creates is recorded in /run/ecflow-remote-lab/<id>.json with the owner's PID and
 * start time; a later lab sweeps the leftovers of dead owners (a test process that was SIGKILLed).
 */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { killNamespaceProcesses } from './procs.js';

/** Addresses of the lab hosts (the same in every lab: each lab has its own namespaces). */
export const LAB_ADDRESSES = {
  home: '10.231.0.2',
  jump: '10.231.0.1',
  workstation: '10.232.0.10',
  machine1: '10.232.0.11',
  machine2: '10.232.0.12',
  logserver1: '10.232.0.21',
  logserver2: '10.232.0.22',
} as const;

/** Host names as resolved inside the centre; at home only `jump.centre.test` resolves. */
export const LAB_NAMES = {
  jump: 'jump.centre.test',
  workstation: 'workstation',
  machine1: 'machine1',
  machine2: 'machine2',
  logserver1: 'logserver1',
  logserver2: 'logserver2',
} as const;

/** The centre hosts that have a network namespace of their own. */
export const SERVICE_HOSTS = ['machine1', 'machine2', 'logserver1', 'logserver2'] as const;
export type ServiceHost = (typeof SERVICE_HOSTS)[number];
/** Every host of the lab; jump and workstation share the `centre` namespace. */
export type LabHost = 'home' | 'jump' | 'workstation' | ServiceHost;

const SHORT: Record<ServiceHost, string> = { machine1: 'm1', machine2: 'm2', logserver1: 'l1', logserver2: 'l2' };

export interface LabNamespaces {
  home: string;
  centre: string;
  machine1: string;
  machine2: string;
  logserver1: string;
  logserver2: string;
}

export interface LabLinks {
  /** The veth end inside home (`ip -n <home> link set <home> down` cuts the route). */
  home: string;
  /** Its peer inside the centre (the jump host's public interface, 10.231.0.1/24). */
  centre: string;
  /** Per service host: [end inside the host's namespace, end inside the centre]. */
  services: Record<ServiceHost, readonly [string, string]>;
}

export interface LabNetwork {
  id: string;
  ns: LabNamespaces;
  links: LabLinks;
  firewall: boolean;
}

const STATE_DIR = '/run/ecflow-remote-lab';

/** Namespace and interface names for lab `id` (6 hex digits; interface names stay ≤ 15 chars). */
export function labNames(id: string): { ns: LabNamespaces; links: LabLinks } {
  const ns: LabNamespaces = {
    home: `rlab-${id}-home`,
    centre: `rlab-${id}-centre`,
    machine1: `rlab-${id}-machine1`,
    machine2: `rlab-${id}-machine2`,
    logserver1: `rlab-${id}-logserver1`,
    logserver2: `rlab-${id}-logserver2`,
  };
  const services = {} as Record<ServiceHost, readonly [string, string]>;
  for (const h of SERVICE_HOSTS) services[h] = [`rl${id}${SHORT[h]}`, `rl${id}${SHORT[h]}c`] as const;
  return { ns, links: { home: `rl${id}h`, centre: `rl${id}c`, services } };
}

/** The namespace a host lives in. */
export function namespaceOf(ns: LabNamespaces, host: LabHost): string {
  return host === 'jump' || host === 'workstation' ? ns.centre : ns[host];
}

function ip(args: readonly string[], input?: string): void {
  const r = spawnSync('ip', args, { input: input ?? '', encoding: 'utf8', timeout: 20_000 });
  if (r.status !== 0) {
    const why = `${r.stderr}${r.error ? String(r.error) : ''}`;
    throw new Error(`ip ${args.join(' ')} failed (${r.status ?? r.signal}): ${why}\n${input ?? ''}`);
  }
}

const HOSTS_HEAD = '127.0.0.1 localhost\n::1 localhost ip6-localhost ip6-loopback\n';
const RESOLV =
  '# ecflow-remote lab: no DNS, names come from /etc/hosts only\nnameserver 127.0.0.1\noptions timeout:1 attempts:1\n';

function centreHosts(): string {
  const a = LAB_ADDRESSES;
  return (
    HOSTS_HEAD +
    `${a.jump} jump.centre.test jump\n${a.workstation} workstation\n${a.machine1} machine1\n` +
    `${a.machine2} machine2\n${a.logserver1} logserver1\n${a.logserver2} logserver2\n`
  );
}

/**
 * The host's nsswitch.conf with `hosts: files dns`, so that names never reach the host's own
 * resolver (nss-resolve / systemd-resolved or mdns would bypass the namespace's resolv.conf).
 * Undefined when the host has no /etc/nsswitch.conf: `ip netns exec` can only bind over an existing
 * file (otherwise it warns on every exec).
 */
function labNsswitch(): string | undefined {
  if (!existsSync('/etc/nsswitch.conf')) return undefined;
  const text = readFileSync('/etc/nsswitch.conf', 'utf8');
  const hosts = 'hosts:          files dns';
  return /^hosts:.*$/m.test(text) ? text.replace(/^hosts:.*$/m, hosts) : `${text}\n${hosts}\n`;
}

function firewallRules(centreLink: string): string {
  return `table inet rlab {
  chain input {
    type filter hook input priority 0; policy accept;
    iifname "${centreLink}" ct state established,related accept
    iifname "${centreLink}" ip daddr ${LAB_ADDRESSES.jump} tcp dport 22 accept
    iifname "${centreLink}" counter drop
  }
}
`;
}

function ownerStartTime(pid: number): string | undefined {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    return stat.slice(stat.lastIndexOf(')') + 2).split(' ')[19];
  } catch {
    return undefined;
  }
}

interface LabState {
  id: string;
  ownerPid: number;
  ownerStart: string | undefined;
  namespaces: string[];
  /** The lab's working directory (removed by the sweep too). */
  dir: string | undefined;
}

function statePath(id: string): string {
  return join(STATE_DIR, `${id}.json`);
}

/**
 * Builds the namespaces, links, addresses, routes, name files and (when `firewall`) the nft rules.
 * On failure everything made so far is removed again before the error is thrown.
 */
export function createLabNetwork(id: string, firewall: boolean, dir?: string): LabNetwork {
  const { ns, links } = labNames(id);
  const all = Object.values(ns);
  mkdirSync(STATE_DIR, { recursive: true, mode: 0o755 });
  const state: LabState = { id, ownerPid: process.pid, ownerStart: ownerStartTime(process.pid), namespaces: all, dir };
  writeFileSync(statePath(id), JSON.stringify(state));
  try {
    const a = LAB_ADDRESSES;
    // One `ip -batch` for the namespaces and the links (ip restores its own namespace after each
    // `netns add`), then one batch per namespace.
    const global = [
      ...all.map((n) => `netns add ${n}`),
      `link add ${links.home} netns ${ns.home} type veth peer name ${links.centre} netns ${ns.centre}`,
    ];
    for (const h of SERVICE_HOSTS) {
      const [inner, outer] = links.services[h];
      global.push(`link add ${inner} netns ${ns[h]} type veth peer name ${outer} netns ${ns.centre}`);
    }
    ip(['-batch', '-'], global.join('\n') + '\n');
    ip(['-n', ns.home, '-batch', '-'], `link set lo up\naddr add ${a.home}/24 dev ${links.home}\nlink set ${links.home} up\n`);
    const centre = [
      'link set lo up',
      `addr add ${a.jump}/24 dev ${links.centre}`,
      `link set ${links.centre} up`,
      `addr add ${a.workstation}/32 dev lo`,
    ];
    for (const h of SERVICE_HOSTS) {
      const outer = links.services[h][1];
      centre.push(`link set ${outer} up`, `route add ${a[h]}/32 dev ${outer} src ${a.workstation}`);
    }
    ip(['-n', ns.centre, '-batch', '-'], centre.join('\n') + '\n');
    for (const h of SERVICE_HOSTS) {
      const inner = links.services[h][0];
      const cmds = ['link set lo up', `addr add ${a[h]}/32 dev ${inner}`, `link set ${inner} up`, `route add default dev ${inner}`];
      ip(['-n', ns[h], '-batch', '-'], cmds.join('\n') + '\n');
    }
    const nsswitch = labNsswitch();
    for (const n of all) {
      const dir = `/etc/netns/${n}`;
      mkdirSync(dir, { recursive: true, mode: 0o755 });
      writeFileSync(join(dir, 'hosts'), n === ns.home ? `${HOSTS_HEAD}${a.jump} jump.centre.test\n` : centreHosts());
      if (existsSync('/etc/resolv.conf')) writeFileSync(join(dir, 'resolv.conf'), RESOLV);
      if (nsswitch !== undefined) writeFileSync(join(dir, 'nsswitch.conf'), nsswitch);
    }
    if (firewall) {
      const input = firewallRules(links.centre);
      const r = spawnSync('ip', ['netns', 'exec', ns.centre, 'nft', '-f', '-'], { input, encoding: 'utf8' });
      if (r.status !== 0) throw new Error(`nft in ${ns.centre} failed: ${r.stderr}`);
    }
  } catch (e) {
    destroyLabNetwork(id);
    throw e;
  }
  return { id, ns, links, firewall };
}

/**
 * Kills every process left in the lab's namespaces, deletes the namespaces (their veths go with
 * them) and /etc/netns/<ns>. Synchronous, idempotent, never throws (also used at process exit).
 */
export function destroyLabNetwork(id: string): void {
  const all = Object.values(labNames(id).ns);
  try {
    killNamespaceProcesses(all);
  } catch {
    // best effort
  }
  const existing = new Set(listNamespaces());
  const del = all.filter((n) => existing.has(n));
  if (del.length > 0) spawnSync('ip', ['-force', '-batch', '-'], { input: del.map((n) => `netns del ${n}`).join('\n') + '\n' });
  for (const n of all) rmSync(`/etc/netns/${n}`, { recursive: true, force: true });
  rmSync(statePath(id), { force: true });
}

/** Names in /run/netns. */
export function listNamespaces(): string[] {
  try {
    return readdirSync('/run/netns');
  } catch {
    return [];
  }
}

/**
 * Removes the labs (network, /etc/netns, working directory) whose owner process is gone, or is a
 * different process with a reused PID.
 */
export function sweepStaleLabs(): string[] {
  let files: string[];
  try {
    files = readdirSync(STATE_DIR);
  } catch {
    return [];
  }
  const swept: string[] = [];
  for (const f of files) {
    if (!f.endsWith('.json')) continue;
    try {
      const s = JSON.parse(readFileSync(join(STATE_DIR, f), 'utf8')) as LabState;
      if (s.ownerPid === process.pid) continue;
      const start = ownerStartTime(s.ownerPid);
      if (start !== undefined && start === s.ownerStart) continue; // owner still running
      destroyLabNetwork(s.id);
      if (s.dir !== undefined && /\/ecflow-remote-centre-lab-\d+-\w+$/.test(s.dir)) rmSync(s.dir, { recursive: true, force: true });
      swept.push(s.id);
    } catch {
      // unreadable / raced with another sweeper
    }
  }
  return swept;
}

/** A lab id not in use: 6 random hex digits. */
export function newLabId(): string {
  const used = new Set(listNamespaces());
  for (;;) {
    const id = Math.floor(Math.random() * 0x1000000)
      .toString(16)
      .padStart(6, '0');
    if (!used.has(`rlab-${id}-home`)) return id;
  }
}
