// followFile against a fake log server that answers getf/delta the way ecflow_logsvr's perl does
// (numeric checksum comparison included), with or without real SHA-1 checksums: appended pieces,
// UTF-8 split across polls, replaced files (shorter, touched, longer with "equal" checksums, mtime
// backwards), cancellation, retries and refusals. The real server is exercised in
// test/logserver-real.test.ts.
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { describe, test } from 'node:test';
import { ErrorCode } from '../errors.js';
import { fakeLogServer, type FakeAnswer } from './fake-log-server.js';
import { LogServerClient } from './log-server-client.js';
import { LogServerRefusedError } from './log-server-protocol.js';
import { followFile, type OutputFollowEvent } from './output-follow.js';

const utf8 = (s: string): Buffer => Buffer.from(s, 'utf8');

/** perl's numeric value of a string: its leading number, else 0 ("3fa…" → 3, "abc" → 0, "x" → 0). */
function perlNum(s: string): number {
  const m = /^\s*[-+]?(\d+\.?\d*(?:[eE][-+]?\d+)?|\.\d+)/.exec(s);
  return m === null ? 0 : Number(m[0]);
}

/** One file as ecflow_logsvr sees it, and its do_getf / do_delta. */
class SimulatedFile {
  content: Buffer = Buffer.alloc(0);
  mtime = 1000;
  exists = true;
  hangNext = 0;
  constructor(private readonly sha1: boolean) {}
  get checksum(): string {
    return this.sha1 ? createHash('sha1').update(this.content.subarray(0, 1024)).digest('hex') : 'x';
  }
  answer(line: string): FakeAnswer {
    if (this.hangNext > 0) {
      this.hangNext--;
      return { hang: true };
    }
    if (!this.exists) return new Uint8Array();
    const [verb, ...args] = line.split(' ');
    const header = (flag: string) => utf8(`${flag}:${this.mtime}:${this.checksum}:`);
    if (verb === 'getf') return Buffer.concat([header('0'), this.content]);
    if (verb !== 'delta') return new Uint8Array();
    const [pos, mtime, sum] = [Number(args[0]), Number(args[1]), args[2] ?? ''];
    const size = this.content.length;
    if (size === pos && this.mtime === mtime && (perlNum(sum) === perlNum('x') || perlNum(this.checksum) === perlNum(sum))) {
      return utf8('1');
    }
    if (size > pos && perlNum(this.checksum) === perlNum(sum)) return Buffer.concat([header('1'), this.content.subarray(pos)]);
    return Buffer.concat([header('0'), this.content]);
  }
}

/** Follow the simulated file; `script[i]` runs after the i-th event; stops after the last. */
async function follow(
  file: SimulatedFile,
  script: Array<() => void>,
  clientOptions: { timeoutMs?: number } = {},
): Promise<OutputFollowEvent[]> {
  const server = await fakeLogServer((line) => file.answer(line));
  const stop = new AbortController();
  const events: OutputFollowEvent[] = [];
  try {
    const client = new LogServerClient({ host: '127.0.0.1', port: server.port, ...clientOptions });
    for await (const ev of followFile(client, '/out/t.1', { signal: stop.signal, pollIntervalMs: 20 })) {
      events.push(ev);
      const step = script[events.length - 1];
      if (step === undefined) stop.abort();
      else step();
    }
    return events;
  } finally {
    await server.close();
  }
}

describe('followFile', () => {
  test('appended pieces; a UTF-8 character split between two polls survives', async () => {
    const f = new SimulatedFile(false);
    f.content = utf8('start\n');
    const e = utf8('é'); // two bytes
    const events = await follow(f, [
      () => {
        f.content = Buffer.concat([f.content, utf8('caf'), e.subarray(0, 1)]);
        f.mtime++;
      },
      () => {
        f.content = Buffer.concat([f.content, e.subarray(1), utf8('\nend\n')]);
        f.mtime++;
      },
    ]);
    assert.deepEqual(
      events.map((x) => x.kind),
      ['content', 'appended', 'appended'],
    );
    assert.equal(events.map((x) => x.text).join(''), 'start\ncafé\nend\n');
    assert.equal(events[2]!.size, f.content.length);
  });

  test('a shorter file, or the same size with another mtime: replaced, whole file', async () => {
    const f = new SimulatedFile(false);
    f.content = utf8('first run, long output\n');
    const events = await follow(f, [
      () => {
        f.content = utf8('second\n');
        f.mtime++;
      },
      () => {
        f.content = utf8('SECOND\n');
        f.mtime++;
      },
    ]);
    assert.deepEqual(
      events.map((x) => [x.kind, x.text]),
      [
        ['content', 'first run, long output\n'],
        ['replaced', 'second\n'],
        ['replaced', 'SECOND\n'],
      ],
    );
    assert.match(events[1]!.reason ?? '', /whole file/);
  });

  test('a longer replacement the server takes for growth (SHA-1s "equal" as perl numbers) is refetched', async () => {
    // Two SHA-1s that both start with a letter compare equal with perl's ==.
    const letter = (b: Buffer) => /^[a-f]/.test(createHash('sha1').update(b.subarray(0, 1024)).digest('hex'));
    let a = 0;
    while (!letter(Buffer.alloc(1100, `a${a}`))) a++;
    let b = 0;
    while (!letter(Buffer.alloc(1500, `b${b}`)) || b === a) b++;
    const f = new SimulatedFile(true);
    f.content = Buffer.alloc(1100, `a${a}`);
    const events = await follow(f, [
      () => {
        f.content = Buffer.alloc(1500, `b${b}`);
        f.mtime++;
      },
    ]);
    assert.deepEqual(
      events.map((x) => x.kind),
      ['content', 'replaced'],
    );
    assert.match(events[1]!.reason ?? '', /checksum of the first 1024 bytes changed/);
    assert.equal(events[1]!.bytes.length, 1500);
  });

  test('below 1024 bytes a changing SHA-1 is normal growth', async () => {
    const f = new SimulatedFile(true);
    f.content = utf8('0123456789');
    // The perl server itself answers "full" when the numeric checksums differ, "appended" otherwise;
    // either way the text must end up right.
    const events = await follow(f, [
      () => {
        f.content = Buffer.concat([f.content, utf8('abc')]);
        f.mtime++;
      },
    ]);
    const last = events[1]!;
    assert.equal(last.kind === 'appended' ? '0123456789' + last.text : last.text, '0123456789abc');
  });

  test('an mtime going backwards means another file', async () => {
    const f = new SimulatedFile(false);
    f.content = utf8('new\n');
    f.mtime = 2000;
    const events = await follow(f, [
      () => {
        f.content = utf8('older but longer\n');
        f.mtime = 1500;
      },
    ]);
    assert.equal(events[1]!.kind, 'replaced');
    assert.match(events[1]!.reason ?? '', /went backwards/);
    assert.equal(events[1]!.text, 'older but longer\n');
  });

  test('a timeout is retried; a refusal (file gone) is thrown', async () => {
    const f = new SimulatedFile(false);
    f.content = utf8('a\n');
    const events = await follow(
      f,
      [
        () => {
          f.hangNext = 1;
          f.content = utf8('a\nb\n');
          f.mtime++;
        },
      ],
      { timeoutMs: 150 },
    );
    assert.deepEqual(
      events.map((x) => x.text),
      ['a\n', 'b\n'],
    );

    f.exists = false;
    const server = await fakeLogServer((line) => f.answer(line));
    try {
      const client = new LogServerClient({ host: '127.0.0.1', port: server.port });
      await assert.rejects(
        (async () => {
          for await (const _ of followFile(client, '/out/t.1', { pollIntervalMs: 20 })) break;
        })(),
        (e: unknown) => e instanceof LogServerRefusedError && e.code === ErrorCode.SERVER,
      );
    } finally {
      await server.close();
    }
  });

  test('abort while waiting ends the iteration at once', async () => {
    const f = new SimulatedFile(false);
    f.content = utf8('x');
    const server = await fakeLogServer((line) => f.answer(line));
    try {
      const client = new LogServerClient({ host: '127.0.0.1', port: server.port });
      const stop = new AbortController();
      const started = performance.now();
      let n = 0;
      for await (const _ of followFile(client, '/out/t.1', { signal: stop.signal, pollIntervalMs: 60_000 })) {
        n++;
        setTimeout(() => stop.abort(), 50);
      }
      assert.equal(n, 1);
      assert.ok(performance.now() - started < 5000);
    } finally {
      await server.close();
    }
  });
});
