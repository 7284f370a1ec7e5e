/**
 * Readiness of servers started by tests: is a given process listening on a TCP port?
 *
 * Connecting to the port is not proof enough — if another process already holds the port, the
 * server we started dies with "Address already in use" while the other one answers. This looks
 * the listening socket up in /proc/net/tcp{,6} and checks that its inode is one of `pid`'s fds
 * (root can inspect any process; others only their own).
 *
 * @example
 *   await waitForListen(child.pid, port, 10_000, () => `sshd log:\n${readFileSync(log, 'utf8')}`);
 */
import { readdir, readFile, readlink } from 'node:fs/promises';
import { isAlive } from './run.js';

/**
 * True when `pid` itself has a socket listening on TCP `port` (/proc/net/tcp{,6} + /proc/<pid>/fd).
 * A ping alone is not enough: if another server already holds the port, ours dies with "Address
 * already in use" while the other one answers the ping.
 */
export async function listensOn(pid: number, port: number): Promise<boolean> {
  const hexPort = port.toString(16).toUpperCase().padStart(4, '0');
  const inodes = new Set<string>();
  for (const table of ['/proc/net/tcp', '/proc/net/tcp6']) {
    let text = '';
    try {
      text = await readFile(table, 'utf8');
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
    fds = await readdir(`/proc/${pid}/fd`);
  } catch {
    return false;
  }
  for (const fd of fds) {
    try {
      const m = /^socket:\[(\d+)\]$/.exec(await readlink(`/proc/${pid}/fd/${fd}`));
      if (m?.[1] !== undefined && inodes.has(m[1])) return true;
    } catch {
      // fd closed meanwhile
    }
  }
  return false;
}

/**
 * Polls {@link listensOn} every 50 ms; rejects after `timeoutMs`, or as soon as the process is
 * gone, with `details()` (e.g. the server's log tail) in the message.
 */
export async function waitForListen(
  pid: number,
  port: number,
  timeoutMs = 10_000,
  details: () => string = () => '',
): Promise<void> {
  const deadline = performance.now() + timeoutMs;
  for (;;) {
    if (await listensOn(pid, port)) return;
    const gone = !isAlive(pid);
    if (gone || performance.now() > deadline) {
      throw new Error(
        `process ${pid} ${gone ? 'exited before listening' : `not listening after ${timeoutMs} ms`} on port ${port}\n${details()}`,
      );
    }
    await new Promise((r) => setTimeout(r, 50));
  }
}
