/**
 * Text formats of ecflow_client's output that ecflow-remote reproduces (ping time, client handle
 * table, zombie table).
 */
import type { Zombie } from '../protocol/replies.js';
import { CHILD_CMD_NAMES, ZOMBIE_ACTION_NAMES, ZOMBIE_TYPE_NAMES } from '../model/types.js';

/** `00:00:00.001359  ~1 milliseconds`, as ecflow_client --ping prints a duration in ns. */
export function formatPingTime(ns: number): string {
  const totalMicros = Math.floor(ns / 1000);
  const micros = totalMicros % 1_000_000;
  const totalSeconds = Math.floor(totalMicros / 1_000_000);
  const two = (n: number) => String(n).padStart(2, '0');
  const hms = `${two(Math.floor(totalSeconds / 3600))}:${two(Math.floor(totalSeconds / 60) % 60)}:${two(totalSeconds % 60)}`;
  return `${hms}.${String(micros).padStart(6, '0')}  ~${Math.floor(ns / 1e6)} milliseconds`;
}

/** The `--ch_suites` table. */
export function formatClientHandles(
  users: readonly { user: string; handles: readonly number[] }[],
  handles: readonly { handle: number; suites: readonly string[] }[],
): string {
  const suitesOf = new Map(handles.map((h) => [h.handle, h.suites]));
  let out = '\nUser      handle  suites\n';
  for (const u of users) {
    u.handles.forEach((h, i) => {
      const who = i === 0 ? u.user.padEnd(10) : ' '.repeat(10);
      const suites = (suitesOf.get(h) ?? []).map((s) => `${s}  `).join('');
      out += `${who}${String(h).padStart(6)}  ${suites}\n`;
    });
  }
  return out;
}

/** The `--zombie_get` table: a header line, then one line per zombie. */
export function formatZombies(zombies: readonly Zombie[]): string {
  const header = ['task-path', 'type', 'age(s)', 'password', 'pid', 'try_no', 'action', 'child', 'calls', 'host', 'explanation'];
  const rows = zombies.map((z) => [
    z.pathToTask,
    ZOMBIE_TYPE_NAMES[z.zombieType] ?? String(z.zombieType),
    String(z.duration),
    z.jobsPassword,
    z.processOrRemoteId,
    String(z.tryNo),
    ZOMBIE_ACTION_NAMES[z.userAction] ?? String(z.userAction),
    CHILD_CMD_NAMES[z.lastChildCmd] ?? String(z.lastChildCmd),
    String(z.calls),
    z.host,
    z.userCmd,
  ]);
  if (rows.length === 0) return `${header.join(' ')}\n`;
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i]!.length)));
  const line = (cells: string[]) => cells.map((c, i) => (i === cells.length - 1 ? c : c.padEnd(widths[i]!))).join(' ');
  return [line(header), ...rows.map(line)].join('\n') + '\n';
}
