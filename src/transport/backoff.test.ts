/** Backoff: the 1, 2, 4 … 60 s sequence, ±20 % jitter bounds, reset, option checks. */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { Backoff } from './backoff.js';

test('base delays double from 1 s and stop at 60 s', () => {
  const b = new Backoff({ random: () => 0.5 }); // 0.5 = no jitter
  const seen = Array.from({ length: 9 }, () => b.next());
  assert.deepEqual(seen, [1000, 2000, 4000, 8000, 16000, 32000, 60000, 60000, 60000]);
  assert.equal(b.attempts, 9);
  assert.equal(b.baseDelay(1000), 60000); // no overflow for huge counts
});

test('jitter stays within ±20 % (extremes and a seeded sweep)', () => {
  const low = new Backoff({ random: () => 0 });
  const high = new Backoff({ random: () => 0.999999 });
  assert.equal(low.next(), 800);
  assert.equal(high.next(), 1200);
  let seed = 42;
  const random = (): number => {
    seed = (seed * 1103515245 + 12345) % 2 ** 31;
    return seed / 2 ** 31;
  };
  const b = new Backoff({ random });
  let sawBelow = false;
  let sawAbove = false;
  for (let i = 0; i < 2000; i++) {
    const failures = b.attempts;
    const base = b.baseDelay(failures);
    const d = b.next();
    assert.ok(d >= base * 0.8 - 0.5 && d <= base * 1.2 + 0.5, `delay ${d} outside ±20 % of ${base}`);
    if (d < base) sawBelow = true;
    if (d > base) sawAbove = true;
    if (i % 10 === 9) b.reset();
  }
  assert.ok(sawBelow && sawAbove, 'jitter goes both ways');
});

test('reset starts again at the first delay', () => {
  const b = new Backoff({ random: () => 0.5 });
  b.next();
  b.next();
  b.reset();
  assert.equal(b.attempts, 0);
  assert.equal(b.next(), 1000);
});

test('invalid options are refused', () => {
  assert.throws(() => new Backoff({ initialMs: 0 }), RangeError);
  assert.throws(() => new Backoff({ jitter: 1 }), RangeError);
  assert.throws(() => new Backoff({ initialMs: 10, maxMs: 5 }), RangeError);
});
