/**
 * Reconnect delays of the UI socket: 0.5 s doubling to 15 s, ±25 % jitter so that many tabs do not
 * reconnect in step. Pure module.
 *
 * @example reconnectDelay(0) // ~500; reconnectDelay(10) // ~15000
 */
export function reconnectDelay(attempt: number, random: () => number = Math.random): number {
  const base = Math.min(15_000, 500 * 2 ** Math.min(attempt, 10));
  return Math.round(base * (0.75 + random() * 0.5));
}
