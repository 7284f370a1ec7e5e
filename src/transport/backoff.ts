/**
 * Exponential backoff with jitter for route reconnects (connectivity-notes.md §5.2): 1, 2, 4 … 60 s,
 * each delay spread by ±20 % so that many clients that lost the same jump host do not come back in
 * step. `reset()` after a route has been up for a while (the supervisor does it after 60 s up).
 *
 * Pure: no timers here; the caller sleeps.
 */

export interface BackoffOptions {
  /** First delay, ms. Default 1000. */
  readonly initialMs?: number;
  /** Largest delay before jitter, ms. Default 60 000. */
  readonly maxMs?: number;
  /** Growth per failure. Default 2. */
  readonly factor?: number;
  /** Relative jitter: the delay is multiplied by a factor in [1 - jitter, 1 + jitter]. Default 0.2. */
  readonly jitter?: number;
  /** Random numbers in [0, 1); default Math.random (tests pass their own). */
  readonly random?: () => number;
}

/**
 * Backoff state for one route.
 *
 * @example
 * const backoff = new Backoff();
 * backoff.next(); // ~1000 (800..1200)
 * backoff.next(); // ~2000 (1600..2400)
 * backoff.reset();
 */
export class Backoff {
  readonly initialMs: number;
  readonly maxMs: number;
  readonly factor: number;
  readonly jitter: number;
  private readonly random: () => number;
  private failures = 0;

  constructor(options: BackoffOptions = {}) {
    this.initialMs = options.initialMs ?? 1000;
    this.maxMs = options.maxMs ?? 60_000;
    this.factor = options.factor ?? 2;
    this.jitter = options.jitter ?? 0.2;
    this.random = options.random ?? Math.random;
    if (!(this.initialMs > 0 && this.maxMs >= this.initialMs && this.factor >= 1 && this.jitter >= 0 && this.jitter < 1)) {
      throw new RangeError(`invalid backoff options ${JSON.stringify(options)}`);
    }
  }

  /** How many delays were handed out since the last reset. */
  get attempts(): number {
    return this.failures;
  }

  /** The delay before the next attempt (ms, rounded), and count one more failure. */
  next(): number {
    const base = this.baseDelay(this.failures);
    this.failures++;
    const spread = 1 + this.jitter * (2 * this.random() - 1);
    return Math.round(base * spread);
  }

  /** The delay without jitter after `failures` failures. */
  baseDelay(failures: number): number {
    // Cap the exponent so that factor ** n cannot overflow to Infinity.
    const n = Math.min(failures, 64);
    return Math.min(this.maxMs, this.initialMs * this.factor ** n);
  }

  /** Start again at the first delay. */
  reset(): void {
    this.failures = 0;
  }
}
