// The output-fetch chain's decisions, with a fake log server (real TCP) and a stand-in for the
// ecFlow client's `request` (the real server is exercised in test/logserver-real.test.ts):
// source order, attempts and their errors, the size limit falling back to the server's last lines,
// tries, cancellation.
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { EcflowCancelledError, EcflowError, EcflowServerError, ErrorCode } from '../errors.js';
import { Variable } from '../model/attributes.js';
import type { Defs } from '../model/defs.js';
import type { Submittable } from '../model/node.js';
import type { UserCommand } from '../protocol/commands.js';
import { parseDefs } from '../protocol/defs-parser.js';
import type { Reply } from '../protocol/replies.js';
import { fakeLogServer } from './fake-log-server.js';
import { fetchOutput, OutputFetchError, type OutputChainOptions } from './output-chain.js';

function model(vars: string): Defs {
  const { defs } = parseDefs(`suite s\n${vars}  task t\n  family f\n  endfamily\nendsuite\n`);
  defs.builtinServerVariables.push(new Variable('ECF_HOME', '/h'));
  const t = defs.findNode('/s/t') as Submittable;
  t.tryNo = 2;
  return defs;
}

/** Stands in for EcflowClient: records commands, answers with `reply` (or throws it). */
function serverStub(reply: Reply | Error): OutputChainOptions['client'] & { commands: UserCommand[] } {
  const commands: UserCommand[] = [];
  return {
    address: 'machine1:4141',
    commands,
    request: async (cmd: UserCommand) => {
      commands.push(cmd);
      if (reply instanceof Error) throw reply;
      return reply;
    },
  };
}

const text = (s: string) => new TextEncoder().encode(s);

describe('fetchOutput', () => {
  test('no log server variables: the attempt says so, the ecFlow server serves the last lines', async () => {
    const defs = model('');
    const client = serverStub({ reply: 'SStringCmd', str: 'line 1\nline 2\n' });
    const r = await fetchOutput(defs.findNode('/s/t')!, { client });
    assert.equal(r.source, 'server');
    assert.equal(r.sourceDescription, 'ecflow server machine1:4141 (last 10000 lines)');
    assert.equal(r.content, 'line 1\nline 2\n');
    assert.equal(r.path, '/h/s/t.2');
    assert.equal(r.truncated, false);
    assert.deepEqual(client.commands, [{ cmd: 'CFileCmd', file: 2, pathToNode: '/s/t', maxLines: 10000 }]);
    assert.equal(r.attempts.length, 1);
    assert.equal(r.attempts[0]!.source, 'logserver');
    assert.match(r.attempts[0]!.error.message, /no log server configured/);
    assert.deepEqual(
      r.tries.map((t) => [t.tryNo, t.listed, t.current, t.path]),
      [
        [1, false, false, '/h/s/t.1'],
        [2, false, true, '/h/s/t.2'],
      ],
    );
  });

  test('log server first; its listing gives the tries (other files with the stem are left out)', async () => {
    const srv = await fakeLogServer((line) =>
      line.startsWith('getf')
        ? text('0:50:x:from the log server\n')
        : text('1 0 0 9 1 2 3 /h/s/t.1\n1 0 0 9 1 2 3 /h/s/t.job2\n1 0 0 21 1 50 3 /h/s/t.2\n1 0 0 9 1 2 3 /h/s/t.ecf\n'),
    );
    try {
      const defs = model(`  edit ECF_LOGHOST 127.0.0.1\n  edit ECF_LOGPORT ${srv.port}\n`);
      const client = serverStub(new Error('must not be asked'));
      const r = await fetchOutput(defs.findNode('/s/t')!, { client });
      assert.equal(r.source, 'logserver');
      assert.equal(r.sourceDescription, `log server 127.0.0.1:${srv.port}`);
      assert.equal(r.content, 'from the log server\n');
      assert.equal(r.mtime, 50);
      assert.equal(r.checksum, 'x');
      assert.deepEqual(
        r.tries.map((t) => [t.tryNo, t.size, t.current]),
        [
          [1, 9, false],
          [2, 21, true],
        ],
      );
      assert.deepEqual(client.commands, []);
      assert.deepEqual(new Set(srv.requests), new Set(['getf /h/s/t.2', 'list /h/s/t.2']));
    } finally {
      await srv.close();
    }
  });

  test('an output above maxBytes falls back to the server, with the limit in the attempt', async () => {
    const srv = await fakeLogServer(() => new Uint8Array(5000).fill(0x61));
    try {
      const defs = model(`  edit ECF_LOGHOST 127.0.0.1\n  edit ECF_LOGPORT ${srv.port}\n`);
      const client = serverStub({ reply: 'SStringCmd', str: 'a\nb\n' });
      const r = await fetchOutput(defs.findNode('/s/t')!, { client, maxBytes: 1000, maxLines: 2, listTries: false });
      assert.equal(r.source, 'server');
      assert.equal(r.sourceDescription, 'ecflow server machine1:4141 (last 2 lines)');
      assert.equal(r.truncated, true);
      assert.equal(r.attempts[0]!.error.code, ErrorCode.FRAME);
      assert.match(r.attempts[0]!.error.message, /larger than 1000 bytes/);
    } finally {
      await srv.close();
    }
  });

  test('every source failing: OutputFetchError with each reason, the server text verbatim', async () => {
    const defs = model('  edit ECF_LOGHOST %UNSET%\n  edit ECF_LOGPORT 9316\n');
    const client = serverStub(new EcflowServerError('File /h/s/t.2 does not exist'));
    let caught: unknown;
    await fetchOutput(defs.findNode('/s/t')!, { client }).catch((e: unknown) => (caught = e));
    assert.ok(caught instanceof OutputFetchError);
    assert.equal(caught.code, ErrorCode.SERVER);
    assert.deepEqual(
      caught.attempts.map((a) => a.source),
      ['logserver', 'server'],
    );
    assert.match(caught.message, /not fully substituted.*File \/h\/s\/t\.2 does not exist/);
  });

  test('a family has no job output; a cancelled fetch asks nobody', async () => {
    const defs = model('');
    const client = serverStub({ reply: 'SStringCmd', str: '' });
    await assert.rejects(fetchOutput(defs.findNode('/s/f')!, { client }), (e: unknown) => e instanceof EcflowError && e.code === ErrorCode.INVALID_ARGUMENT);
    const aborted = new AbortController();
    aborted.abort();
    await assert.rejects(fetchOutput(defs.findNode('/s/t')!, { client, signal: aborted.signal }), EcflowCancelledError);
    assert.deepEqual(client.commands, []);
  });
});
