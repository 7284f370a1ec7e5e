/**
 * The log server client and the output-fetch chain against REAL components: Debian's perl
 * ecflow_logsvr (started here on a free port with LOGPATH set through its environment) and a real
 * ecflow_server running real jobs whose output lands in ECF_HOME.
 *
 *   1. LogServerClient vs ecflow_logsvr: version, get, getf, delta (unchanged/appended/replaced/
 *      past the end), list, refusals (outside LOGPATH, `..` tricks, missing, unknown verb), the
 *      Connector hook, followFile on a growing and then replaced file.
 *   2. fetchOutput/followOutput on a synced model: served by the log server (ECF_LOGHOST/
 *      ECF_LOGPORT on the suite, or the configured override), previous tries, following a running
 *      job; with the log server refusing or stopped: served by the ecFlow server (CFileCmd JOBOUT),
 *      and the log server's failure reported.
 */
import assert from 'node:assert/strict';
import { type ChildProcess, spawn } from 'node:child_process';
import { closeSync, openSync, readFileSync } from 'node:fs';
import { appendFile, mkdir, stat, utimes, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { EcflowClient } from '../src/client/ecflow-client.js';
import { ServerSession } from '../src/client/server-session.js';
import { EcflowError, ErrorCode } from '../src/errors.js';
import type { Submittable } from '../src/model/node.js';
import { NState } from '../src/model/types.js';
import { LogServerClient } from '../src/logserver/log-server-client.js';
import { decodeOutput, LogServerRefusedError } from '../src/logserver/log-server-protocol.js';
import { fetchOutput, listOutputTries, OutputFetchError } from '../src/logserver/output-chain.js';
import { followFile, followOutput, type OutputFollowEvent } from '../src/logserver/output-follow.js';
import type { Connector } from '../src/transport/connector.js';
import { directConnector } from '../src/transport/tcp.js';
import { startEcflowServer, type EcflowServer } from './helpers/ecflow-server.js';
import { cleanEnv, applyEnv } from './helpers/env.js';
import { listensOn } from './helpers/listen.js';
import { freePort } from './helpers/ports.js';
import { guardPid, isAlive, setprivPrefix, unguardPid } from './helpers/run.js';
import { makeTempDir, removeTempDir } from './helpers/tmp.js';

const LOGSVR_BIN = process.env['ECFLOW_LOGSVR_BIN'] ?? '/usr/sbin/ecflow_logsvr';
const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

interface RealLogServer {
  readonly port: number;
  readonly pid: number;
  /** What the log server printed (its request log). */
  output(): string;
  stop(): Promise<void>;
}

/**
 * Starts /usr/sbin/ecflow_logsvr (configured by environment: LOGPORT, LOGPATH, LOGMAP) on a free
 * port in 44000-44999, waits until it listens; retried on another port if the bind fails.
 */
async function startLogServer(logPath: string, logMap?: string): Promise<RealLogServer> {
  for (let attempt = 0; ; attempt++) {
    const port = await freePort({ min: 44000, max: 44999 });
    const dir = await makeTempDir('logsvr');
    const outFile = join(dir, 'logsvr.out');
    const outFd = openSync(outFile, 'w');
    let child: ChildProcess;
    try {
      const env = applyEnv(cleanEnv(), { LOGPORT: String(port), LOGPATH: logPath, LOGMAP: logMap });
      child = spawn('setpriv', [...setprivPrefix(), 'perl', LOGSVR_BIN], { cwd: dir, env, stdio: ['ignore', outFd, outFd] });
    } finally {
      closeSync(outFd);
    }
    const pid = child.pid;
    assert.ok(pid !== undefined, 'could not spawn ecflow_logsvr');
    guardPid(pid);
    let exited = false;
    const exit = new Promise<void>((resolve) => child.once('exit', () => ((exited = true), resolve())));
    const output = () => readFileSync(outFile, 'utf8');
    const stop = async () => {
      if (!exited) {
        process.kill(pid, 'SIGKILL');
        await Promise.race([exit, sleep(5000)]);
      }
      unguardPid(pid);
      await removeTempDir(dir);
    };
    const deadline = performance.now() + 10_000;
    while (!exited && !(await listensOn(pid, port)) && performance.now() < deadline) await sleep(30);
    if (!exited && isAlive(pid) && (await listensOn(pid, port))) return { port, pid, output, stop };
    const text = output();
    await stop();
    if (attempt >= 3) throw new Error(`ecflow_logsvr did not start on port ${port}:\n${text}`);
  }
}

async function rejectsWith(p: Promise<unknown>, code: string, message?: RegExp): Promise<EcflowError> {
  let caught: unknown;
  await p.then(
    () => assert.fail('expected a rejection'),
    (e: unknown) => {
      caught = e;
    },
  );
  assert.ok(caught instanceof EcflowError, `expected EcflowError, got ${String(caught)}`);
  assert.equal(caught.code, code, caught.message);
  if (message) assert.match(caught.message, message);
  return caught;
}

describe('LogServerClient against ecflow_logsvr', () => {
  let dir: string;
  let logsvr: RealLogServer;
  let client: LogServerClient;
  const out = (name: string) => join(dir, 's1', name);

  before(async () => {
    dir = await makeTempDir('logsvr-files');
    await mkdir(join(dir, 's1'));
    await writeFile(out('t1.1'), Buffer.concat([Buffer.from('try one\nnot UTF-8: '), Buffer.from([0xff, 0xfe]), Buffer.from('\n')]));
    await writeFile(out('t1.2'), 'try two\n');
    await writeFile(out('t1.job1'), '#!/bin/sh\n');
    await writeFile(out('t1.ecf'), 'script\n');
    await writeFile(out('t10.1'), 'another task\n');
    await writeFile(out('empty.1'), '');
    logsvr = await startLogServer(dir);
    client = new LogServerClient({ host: '127.0.0.1', port: logsvr.port, timeoutMs: 5000 });
  });
  after(async () => {
    await logsvr?.stop();
    if (dir) await removeTempDir(dir);
  });

  test('version is 2', async () => {
    assert.equal(await client.version(), 2);
  });

  test('get and getf return the exact bytes; getf adds mtime (Unix s) and checksum', async () => {
    const expected = readFileSync(out('t1.1'));
    assert.deepEqual(Buffer.from(await client.get(out('t1.1'))), expected);
    const f = await client.getf(out('t1.1'));
    assert.deepEqual(Buffer.from(f.content), expected);
    assert.equal(f.mtime, Math.floor((await stat(out('t1.1'))).mtimeMs / 1000));
    // 'x' when perl's Digest::SHA1 is missing (Debian bookworm), else SHA-1 of the first 1024 bytes.
    assert.match(f.checksum, /^(x|[0-9a-f]{40})$/);
    assert.equal(decodeOutput(f.content), 'try one\nnot UTF-8: \ufffd\ufffd\n');
  });

  test('an empty file: getf gives its header, get gives nothing (a refusal look-alike)', async () => {
    const f = await client.getf(out('empty.1'));
    assert.equal(f.content.length, 0);
    await rejectsWith(client.get(out('empty.1')), ErrorCode.SERVER, /or the file is empty/);
  });

  test('delta: unchanged, appended, touched, truncated, pos past the end', async () => {
    const p = out('grow.1');
    await writeFile(p, 'one\n');
    await utimes(p, 1_700_000_000, 1_700_000_000);
    const f = await client.getf(p);
    assert.equal(f.mtime, 1_700_000_000);
    assert.deepEqual(await client.delta(4, f.mtime, f.checksum, p), { kind: 'unchanged' });

    await appendFile(p, 'two\n');
    await utimes(p, 1_700_000_010, 1_700_000_010);
    const a = await client.delta(4, f.mtime, f.checksum, p);
    assert.equal(a.kind, 'appended');
    if (a.kind === 'appended') {
      assert.equal(decodeOutput(a.bytes), 'two\n');
      assert.equal(a.mtime, 1_700_000_010);
    }
    // Same size, other mtime: the whole file.
    const touched = await client.delta(8, 1_700_000_000, 'x', p);
    assert.equal(touched.kind, 'full');
    // Truncated/replaced by a shorter file, and pos past the end: the whole file.
    await writeFile(p, 'new\n');
    for (const pos of [8, 9999]) {
      const d = await client.delta(pos, 1_700_000_010, 'x', p);
      assert.equal(d.kind, 'full');
      if (d.kind === 'full') assert.equal(decodeOutput(d.content), 'new\n');
    }
  });

  test('list: the files whose names start with the stem up to the first dot', async () => {
    const entries = await client.list(out('t1.1'));
    const names = entries.map((e) => e.path.slice(e.path.lastIndexOf('/') + 1)).sort();
    assert.deepEqual(names, ['t1.1', 't1.2', 't1.ecf', 't1.job1']);
    const one = entries.find((e) => e.path === out('t1.1'));
    assert.ok(one);
    const st = await stat(out('t1.1'));
    assert.equal(one.size, st.size);
    assert.equal(one.mtime, Math.floor(st.mtimeMs / 1000));
    assert.equal(one.mode, st.mode);
  });

  test('refusals: outside LOGPATH, missing file, unknown verb, nothing to list → LogServerRefusedError', async () => {
    for (const request of [
      () => client.getf('/etc/passwd'),
      () => client.getf(out('missing.1')),
      () => client.request('bogus' as 'get', [out('t1.1')]),
      () => client.list(out('nothing.1')),
    ]) {
      const e = await rejectsWith(request(), ErrorCode.SERVER, /the file does not exist, is outside the log server's LOGPATH/);
      assert.ok(e instanceof LogServerRefusedError);
    }
    assert.match(logsvr.output(), /Invalid file requested/);
  });

  test('requests go through the Connector', async () => {
    let connections = 0;
    const counting: Connector = (target, signal) => {
      connections++;
      return directConnector(target, signal);
    };
    const via = new LogServerClient({ host: 'localhost', port: logsvr.port, connector: counting });
    assert.equal(await via.version(), 2);
    assert.equal(decodeOutput((await via.getf(out('t1.2'))).content), 'try two\n');
    assert.equal(connections, 2);
  });

  test('followFile: content, appended pieces, then replaced', async () => {
    const p = out('follow.1');
    await writeFile(p, 'line 1\n');
    const stop = new AbortController();
    const events: OutputFollowEvent[] = [];
    const writer = (async () => {
      for (let i = 2; i <= 4; i++) {
        await sleep(150);
        await appendFile(p, `line ${i}\n`);
      }
      await sleep(300);
      await writeFile(p, 'fresh\n'); // shorter: the log server sends the whole file
    })();
    for await (const ev of followFile(client, p, { signal: stop.signal, pollIntervalMs: 50 })) {
      events.push(ev);
      if (ev.kind === 'replaced') stop.abort();
    }
    await writer;
    const kinds = events.map((e) => e.kind);
    assert.equal(kinds[0], 'content');
    assert.equal(kinds[kinds.length - 1], 'replaced');
    assert.ok(kinds.filter((k) => k === 'appended').length >= 1, kinds.join());
    const beforeReplace = events.slice(0, -1).map((e) => e.text).join('');
    assert.equal(beforeReplace, 'line 1\nline 2\nline 3\nline 4\n');
    assert.equal(events[events.length - 1]!.text, 'fresh\n');
  });
});

// ---------------------------------------------------------------------------------------------
// A real ecflow_server running real jobs; the output fetched through the chain.

/** Job script: exports what ecflow_client needs, then runs `body` between --init and --complete. */
const script = (body: string): string => `#!/bin/bash
set -e
export ECF_HOST=localhost ECF_PORT=%ECF_PORT% ECF_NAME=%ECF_NAME% ECF_PASS=%ECF_PASS% ECF_TRYNO=%ECF_TRYNO% ECF_RID=$$
ecflow_client --init=$$
${body}
ecflow_client --complete
`;

const DEFS = `suite s1
  edit ECF_TRIES 2
  task ok
  task binary
  task retry
  task slow
endsuite
`;

describe('fetchOutput / followOutput with a real ecflow_server and ecflow_logsvr', () => {
  let srv: EcflowServer;
  let logsvr: RealLogServer | undefined;
  let session: ServerSession;
  let client: EcflowClient;
  const node = (path: string): Submittable => {
    const n = session.defs?.findNode(path);
    assert.ok(n, `${path} not in the model`);
    return n as Submittable;
  };
  /** Poll the session until `done` holds (30 s at most). */
  const until = async (what: string, done: () => boolean): Promise<void> => {
    const deadline = performance.now() + 30_000;
    for (;;) {
      await session.poll();
      if (done()) return;
      if (performance.now() > deadline) throw new Error(`timed out waiting for ${what}\n${srv.logTail()}`);
      await sleep(200);
    }
  };

  before(async () => {
    srv = await startEcflowServer({ defs: DEFS, halted: true });
    await mkdir(join(srv.ecfHome, 's1'), { recursive: true });
    await writeFile(join(srv.ecfHome, 's1', 'ok.ecf'), script(`echo "job %ECF_NAME% try %ECF_TRYNO% says hello"\necho "été ✓"`));
    await writeFile(join(srv.ecfHome, 's1', 'binary.ecf'), script(`printf 'bytes: \\377\\n'`));
    await writeFile(
      join(srv.ecfHome, 's1', 'retry.ecf'),
      script(
        // exit 0 after --abort: a failing ECF_JOB_CMD would abort the resubmitted try as well.
        `if [ %ECF_TRYNO% = 1 ]; then echo "try 1 fails"; ecflow_client --abort="first try fails"; exit 0; fi\necho "try %ECF_TRYNO% works"`,
      ),
    );
    await writeFile(
      join(srv.ecfHome, 's1', 'slow.ecf'),
      script(`for i in 1 2 3 4 5 6; do echo "slow line $i"; sleep 0.5; done\necho DONE`),
    );
    logsvr = await startLogServer(srv.ecfHome);
    for (const args of [
      ['--alter', 'add', 'variable', 'ECF_LOGHOST', 'localhost', '/s1'],
      ['--alter', 'add', 'variable', 'ECF_LOGPORT', String(logsvr.port), '/s1'],
      ['--restart'],
    ]) {
      const r = await srv.ecflowClient(args);
      assert.equal(r.code, 0, r.stderr + r.stdout);
    }
    client = new EcflowClient({ host: srv.host, port: srv.port, env: {} });
    session = new ServerSession(client);
    await session.connect();
    await until('ok and retry complete, slow running', () => {
      const slow = node('/s1/slow').state;
      return (
        node('/s1/ok').state === NState.COMPLETE &&
        node('/s1/binary').state === NState.COMPLETE &&
        node('/s1/retry').state === NState.COMPLETE &&
        (slow === NState.ACTIVE || slow === NState.COMPLETE)
      );
    });
  });
  after(async () => {
    await logsvr?.stop();
    await srv?.stop();
  });

  test('served by the log server named by ECF_LOGHOST/ECF_LOGPORT', async () => {
    const r = await fetchOutput(node('/s1/ok'), { client });
    assert.equal(r.source, 'logserver');
    assert.equal(r.sourceDescription, `log server localhost:${logsvr!.port}`);
    assert.deepEqual(r.logServer, { host: 'localhost', port: logsvr!.port, from: 'variables' });
    assert.equal(r.path, join(srv.ecfHome, 's1', 'ok.1'));
    assert.equal(r.tryNo, 1);
    assert.equal(r.current, true);
    assert.match(r.content, /job \/s1\/ok try 1 says hello\nété ✓\n/);
    assert.deepEqual(r.attempts, []);
    assert.deepEqual(
      r.tries.map((t) => [t.tryNo, t.current, t.listed]),
      [[1, true, true]],
    );
    assert.equal(r.tries[0]!.size, r.bytes?.length);
  });

  test('output that is not UTF-8: raw bytes kept, text decoded leniently', async () => {
    const r = await fetchOutput(node('/s1/binary'), { client, listTries: false });
    assert.equal(r.source, 'logserver');
    assert.match(r.content, /bytes: \ufffd\n/);
    assert.ok(r.bytes !== undefined && Buffer.from(r.bytes).includes(Buffer.from('bytes: \xff\n', 'latin1')));
  });

  test('previous tries: listed by the log server, fetched by number', async () => {
    const retry = node('/s1/retry');
    assert.equal(retry.tryNo, 2);
    const current = await fetchOutput(retry, { client });
    assert.match(current.content, /try 2 works/);
    assert.deepEqual(
      current.tries.map((t) => [t.tryNo, t.current]),
      [
        [1, false],
        [2, true],
      ],
    );
    const first = await fetchOutput(retry, { client, tryNo: 1 });
    assert.equal(first.source, 'logserver');
    assert.equal(first.current, false);
    assert.equal(first.path, join(srv.ecfHome, 's1', 'retry.1'));
    assert.match(first.content, /try 1 fails/);
    assert.deepEqual(
      (await listOutputTries(retry, { client })).map((t) => t.path),
      [join(srv.ecfHome, 's1', 'retry.1'), join(srv.ecfHome, 's1', 'retry.2')],
    );
  });

  test('the configured log server wins over the variables, and its connector is used', async () => {
    let connections = 0;
    const counting: Connector = (target, signal) => {
      connections++;
      return directConnector(target, signal);
    };
    const r = await fetchOutput(node('/s1/ok'), {
      client,
      logServer: { host: '127.0.0.1', port: logsvr!.port },
      connector: counting,
      listTries: false,
    });
    assert.equal(r.sourceDescription, `log server 127.0.0.1:${logsvr!.port}`);
    assert.equal(r.logServer?.from, 'configured');
    assert.equal(connections, 1);
  });

  test('followOutput follows the running job to its end', async () => {
    const stop = new AbortController();
    let text = '';
    const kinds: string[] = [];
    const timer = setTimeout(() => stop.abort(), 20_000);
    try {
      for await (const ev of followOutput(node('/s1/slow'), { client, signal: stop.signal, pollIntervalMs: 100 })) {
        kinds.push(ev.kind);
        text = ev.kind === 'appended' ? text + ev.text : ev.text;
        if (text.includes('DONE\n')) stop.abort();
      }
    } finally {
      clearTimeout(timer);
    }
    assert.match(text, /slow line 1\n(.|\n)*slow line 6\nDONE\n/);
    assert.equal(kinds[0], 'content');
    await until('slow complete', () => node('/s1/slow').state === NState.COMPLETE);
  });

  test('a log server that refuses (LOGPATH elsewhere): the ecFlow server serves, the refusal is reported', async () => {
    const elsewhere = await makeTempDir('logsvr-elsewhere');
    const other = await startLogServer(elsewhere);
    try {
      const r = await fetchOutput(node('/s1/ok'), { client, logServer: { host: 'localhost', port: other.port } });
      assert.equal(r.source, 'server');
      assert.equal(r.sourceDescription, `ecflow server ${client.address} (last 10000 lines)`);
      assert.match(r.content, /job \/s1\/ok try 1 says hello/);
      assert.equal(r.attempts.length, 1);
      assert.equal(r.attempts[0]!.source, 'logserver');
      assert.equal(r.attempts[0]!.description, `log server localhost:${other.port}`);
      assert.ok(r.attempts[0]!.error instanceof LogServerRefusedError);
      assert.match(r.attempts[0]!.error.message, /outside the log server's LOGPATH/);
    } finally {
      await other.stop();
      await removeTempDir(elsewhere);
    }
  });

  test('log server stopped: the ecFlow server serves the current try; older tries cannot be served', async () => {
    await logsvr!.stop();
    const port = logsvr!.port;
    logsvr = undefined;

    const r = await fetchOutput(node('/s1/retry'), { client });
    assert.equal(r.source, 'server');
    assert.match(r.content, /try 2 works/);
    assert.equal(r.attempts[0]!.source, 'logserver');
    assert.equal(r.attempts[0]!.error.code, ErrorCode.CONNECT);
    assert.match(r.attempts[0]!.error.message, new RegExp(`localhost:${port}.*connection refused`));
    // Without a log server the tries come from ECF_TRYNO.
    assert.deepEqual(
      r.tries.map((t) => [t.tryNo, t.listed, t.current]),
      [
        [1, false, false],
        [2, false, true],
      ],
    );

    const short = await fetchOutput(node('/s1/ok'), { client, maxLines: 2, listTries: false });
    assert.equal(short.sourceDescription, `ecflow server ${client.address} (last 2 lines)`);
    assert.equal(short.truncated, true);
    assert.ok(short.content.split('\n').filter((l) => l !== '').length <= 2, short.content);

    const e = await rejectsWith(fetchOutput(node('/s1/retry'), { client, tryNo: 1 }), ErrorCode.INVALID_ARGUMENT);
    assert.ok(e instanceof OutputFetchError);
    assert.deepEqual(
      e.attempts.map((a) => [a.source, a.error.code]),
      [
        ['logserver', ErrorCode.CONNECT],
        ['server', ErrorCode.INVALID_ARGUMENT],
      ],
    );
    assert.match(e.message, /only serves the current job output \(try 2\), not try 1/);
  });

  test('log server stopped: non-UTF-8 output through the ecFlow server', async () => {
    const r = await fetchOutput(node('/s1/binary'), { client, listTries: false });
    assert.equal(r.source, 'server');
    assert.match(r.content, /bytes: \ufffd/);
  });

  test('a task that never ran has no output yet', async () => {
    const t = node('/s1/ok');
    const saved = t.tryNo;
    t.tryNo = 0;
    try {
      await rejectsWith(fetchOutput(t, { client }), ErrorCode.INVALID_ARGUMENT, /does not exist yet \(ECF_TRYNO is 0/);
    } finally {
      t.tryNo = saved;
    }
  });
});
