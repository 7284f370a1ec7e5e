/**
 * Processes of the namespace lab, found through /proc: descendants of a PID, every process in a
 * network namespace, and "does this PID listen on this TCP port" for a process in ANOTHER network
 * namespace.
 *
 * Why not test/helpers/listen.ts: /proc/net/tcp is /proc/self/net/tcp, i.e. the sockets of the
 * CALLER's network namespace. A server started with `ip netns exec` is invisible there; its sockets
 * are in /proc/<pid>/net/tcp (the table of the namespace that <pid> lives in).
 *
 * Everything here is synchronous on purpose: the lab's teardown also runs in a process 'exit' hook,
 * where only synchronous work happens.
 *
 * @example
 *   killTree(sshdPid, 'SIGKILL', { keepRoot: true });     // drop every connection of an sshd
 *   killNamespaceProcesses('rlab-3fa9c1-centre');          // everything left in a namespace
 */
import { readdirSync, readFileSync, readlinkSync, statSync } from 'node:fs';
import { isAlive } from '../run.js';

/** Blocks the thread for `ms` (usable in a process 'exit' hook, unlike timers). */
export function sleepSync(ms: number): void {
  Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, ms);
}

/** The parent PID of `pid`, or undefined when it is gone. */
export function parentOf(pid: number): number | undefined {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    // "pid (comm) S ppid ..." — comm may contain spaces and parentheses: parse after the last ')'.
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    const ppid = Number(fields[1]);
    return Number.isFinite(ppid) ? ppid : undefined;
  } catch {
    return undefined;
  }
}

function allPids(): number[] {
  const out: number[] = [];
  for (const name of readdirSync('/proc')) {
    if (/^\d+$/.test(name)) out.push(Number(name));
  }
  return out;
}

/** All descendants of `root` (children first by depth: the deepest come first). */
export function descendantsOf(root: number): number[] {
  const children = new Map<number, number[]>();
  for (const pid of allPids()) {
    const ppid = parentOf(pid);
    if (ppid === undefined) continue;
    const list = children.get(ppid);
    if (list) list.push(pid);
    else children.set(ppid, [pid]);
  }
  const levels: number[][] = [];
  let frontier = children.get(root) ?? [];
  while (frontier.length > 0) {
    levels.push(frontier);
    frontier = frontier.flatMap((p) => children.get(p) ?? []);
  }
  return levels.reverse().flat();
}

/** Sends `signal` to `pid`; false when it is already gone. */
export function signal(pid: number, sig: NodeJS.Signals): boolean {
  try {
    process.kill(pid, sig);
    return true;
  } catch {
    return false;
  }
}

/**
 * Signals the descendants of `root` (deepest first) and then `root` itself, unless `keepRoot`.
 * Returns the PIDs that were signalled.
 */
export function killTree(root: number, sig: NodeJS.Signals = 'SIGKILL', options: { keepRoot?: boolean } = {}): number[] {
  const hit: number[] = [];
  for (const pid of descendantsOf(root)) if (signal(pid, sig)) hit.push(pid);
  if (options.keepRoot !== true && signal(root, sig)) hit.push(root);
  return hit;
}

/** The inode of a named network namespace (/run/netns/<ns>), or undefined when it does not exist. */
export function namespaceInode(ns: string): bigint | undefined {
  try {
    return statSync(`/run/netns/${ns}`, { bigint: true }).ino;
  } catch {
    return undefined;
  }
}

/** PIDs of the (live, non-zombie) processes whose network namespace has inode `ino`. */
export function processesInNamespace(ino: bigint): number[] {
  const want = `net:[${ino}]`;
  const out: number[] = [];
  for (const pid of allPids()) {
    if (pid === process.pid) continue;
    try {
      if (readlinkSync(`/proc/${pid}/ns/net`) === want && isAlive(pid)) out.push(pid);
    } catch {
      // gone, or a zombie (no namespaces any more)
    }
  }
  return out;
}

/**
 * SIGKILLs every process in the named network namespaces, repeating while new ones appear (a
 * forking server can race the first pass). Returns how many were killed.
 */
export function killNamespaceProcesses(namespaces: readonly string[]): number {
  const inodes = namespaces.map(namespaceInode).filter((i): i is bigint => i !== undefined);
  const hit = new Set<number>();
  for (let round = 0; round < 20 && inodes.length > 0; round++) {
    const pids = inodes.flatMap(processesInNamespace);
    if (pids.length === 0) break;
    for (const pid of pids) if (signal(pid, 'SIGKILL')) hit.add(pid);
    sleepSync(pids.some(isAlive) ? 20 : 2); // let the kernel finish the kills before looking again
  }
  // A dying process leaves its namespaces before it is a zombie (do_exit): wait for the end
  // itself, so that callers can rely on "every PID is gone" (bounded: 3 s).
  const deadline = Date.now() + 3000;
  while ([...hit].some(isAlive) && Date.now() < deadline) sleepSync(5);
  return hit.size;
}

/**
 * True when `pid` has a TCP socket listening on `port`, looked up in the network namespace of
 * `pid` (/proc/<pid>/net/tcp{,6}) and matched to one of its own file descriptors.
 */
export function listensInItsNamespace(pid: number, port: number): boolean {
  const hexPort = port.toString(16).toUpperCase().padStart(4, '0');
  const inodes = new Set<string>();
  for (const table of [`/proc/${pid}/net/tcp`, `/proc/${pid}/net/tcp6`]) {
    let text = '';
    try {
      text = readFileSync(table, 'utf8');
    } catch {
      continue;
    }
    for (const line of text.split('\n').slice(1)) {
      const f = line.trim().split(/\s+/);
      if (f[3] === '0A' && f[1]?.endsWith(`:${hexPort}`) && f[9] !== undefined) inodes.add(f[9]);
    }
  }
  if (inodes.size === 0) return false;
  let fds: string[];
  try {
    fds = readdirSync(`/proc/${pid}/fd`);
  } catch {
    return false;
  }
  for (const fd of fds) {
    try {
      const m = /^socket:\[(\d+)\]$/.exec(readlinkSync(`/proc/${pid}/fd/${fd}`));
      if (m?.[1] !== undefined && inodes.has(m[1])) return true;
    } catch {
      // fd closed meanwhile
    }
  }
  return false;
}

/**
 * Waits until `pid` listens on `port` in its own namespace; rejects when the process exits first
 * or after `timeoutMs`, with `details()` (a log tail) in the message.
 */
export async function waitListening(pid: number, port: number, timeoutMs: number, details: () => string): Promise<void> {
  const deadline = performance.now() + timeoutMs;
  for (;;) {
    if (listensInItsNamespace(pid, port)) return;
    const gone = !isAlive(pid);
    if (gone || performance.now() > deadline) {
      throw new Error(
        `process ${pid} ${gone ? 'exited before listening' : `not listening after ${timeoutMs} ms`} on port ${port}\n${details()}`,
      );
    }
    await new Promise((r) => setTimeout(r, 20));
  }
}
