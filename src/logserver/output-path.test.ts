// Job output paths (generated ECF_JOBOUT, ECF_OUT, a user ECF_JOBOUT, tries) and the choice of
// log server (override, ECF_LOGHOST/ECF_LOGPORT, ECF_MICRO) computed from a model.
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { EcflowError, ErrorCode } from '../errors.js';
import { Variable } from '../model/attributes.js';
import type { Defs } from '../model/defs.js';
import type { Submittable } from '../model/node.js';
import { parseDefs } from '../protocol/defs-parser.js';
import {
  currentJobOutputPath,
  isLogServerLocation,
  jobOutputPath,
  logServerFor,
  substituteVariables,
  tryNoOfPath,
  variableValue,
  withTryNo,
} from './output-path.js';

function model(text: string, server: Record<string, string> = { ECF_HOME: '/srv/ecf_home', ECF_MICRO: '%' }): Defs {
  const { defs, warnings } = parseDefs(text);
  assert.deepEqual(warnings, []);
  for (const [k, v] of Object.entries(server)) defs.builtinServerVariables.push(new Variable(k, v));
  return defs;
}

function task(defs: Defs, path: string, tryNo: number): Submittable {
  const n = defs.findNode(path);
  assert.ok(n !== undefined && (n.kind === 'task' || n.kind === 'alias'), `${path} not found`);
  const t = n as Submittable;
  t.tryNo = tryNo;
  return t;
}

describe('jobOutputPath', () => {
  test('default: ECF_HOME + path + . + try; ECF_HOME inherited from the nearest node, else the server', () => {
    const defs = model('suite s\n  family f\n    task t\n  endfamily\n  family g\n    edit ECF_HOME /other\n    task u\n  endfamily\nendsuite\n');
    const t = task(defs, '/s/f/t', 2);
    assert.equal(currentJobOutputPath(t), '/srv/ecf_home/s/f/t.2');
    assert.equal(jobOutputPath(t), '/srv/ecf_home/s/f/t.2');
    assert.equal(jobOutputPath(t, 1), '/srv/ecf_home/s/f/t.1');
    assert.equal(jobOutputPath(task(defs, '/s/g/u', 1)), '/other/s/g/u.1');
  });

  test('ECF_OUT replaces ECF_HOME as the directory, %-substituted; empty ECF_OUT is ignored', () => {
    const defs = model(
      'suite s\n  edit ECF_OUT /scratch/%USER_DIR%/out\n  edit USER_DIR ops\n  task t\n  family f\n    edit ECF_OUT ""\n    task e\n  endfamily\nendsuite\n',
    );
    assert.equal(jobOutputPath(task(defs, '/s/t', 3)), '/scratch/ops/out/s/t.3');
    assert.equal(jobOutputPath(task(defs, '/s/f/e', 1)), '/srv/ecf_home/s/f/e.1');
  });

  test('a user ECF_JOBOUT on the task itself wins; one on an ancestor does not', () => {
    const defs = model(
      'suite s\n  edit ECF_JOBOUT /ignored/x.1\n  task t\n    edit ECF_JOBOUT %ECF_HOME%/logs/%TASK%.%ECF_TRYNO%\n  task u\nendsuite\n',
    );
    const t = task(defs, '/s/t', 2);
    assert.equal(jobOutputPath(t), '/srv/ecf_home/logs/t.2');
    assert.equal(jobOutputPath(t, 1), '/srv/ecf_home/logs/t.1');
    assert.equal(jobOutputPath(task(defs, '/s/u', 1)), '/srv/ecf_home/s/u.1');
  });

  test('aliases: their own path under the task', () => {
    const { defs } = parseDefs('suite s\n  task t\n    alias alias0\n    endalias\nendsuite\n');
    defs.builtinServerVariables.push(new Variable('ECF_HOME', '/h'));
    const a = task(defs, '/s/t/alias0', 1);
    assert.equal(jobOutputPath(a), '/h/s/t/alias0.1');
    assert.equal(variableValue(a, 'TASK'), 't');
  });

  test('try 0 ends in .0; negative tries are refused', () => {
    const defs = model('suite s\n  task t\nendsuite\n');
    const t = task(defs, '/s/t', 0);
    assert.equal(jobOutputPath(t), '/srv/ecf_home/s/t.0');
    assert.throws(() => jobOutputPath(t, -1), (e: unknown) => e instanceof EcflowError && e.code === ErrorCode.INVALID_ARGUMENT);
  });

  test('self-referencing ECF_OUT does not loop', () => {
    const defs = model('suite s\n  edit ECF_OUT %ECF_JOBOUT%\n  task t\nendsuite\n');
    assert.equal(typeof jobOutputPath(task(defs, '/s/t', 1)), 'string');
  });
});

describe('helpers', () => {
  test('withTryNo and tryNoOfPath', () => {
    assert.equal(withTryNo('/h/s/t.12', 12, 3), '/h/s/t.3');
    assert.equal(withTryNo('/h/s/t.out.7', 2, 3), '/h/s/t.out.3');
    assert.throws(() => withTryNo('/h/s/t.out', 1, 2), /no try number/);
    assert.equal(tryNoOfPath('/h/s/t.12', 't'), 12);
    assert.equal(tryNoOfPath('/h/s/t.job1', 't'), undefined);
    assert.equal(tryNoOfPath('/h/s/t.ecf', 't'), undefined);
    assert.equal(tryNoOfPath('/h/s/t.x.2', 't.x'), 2);
    assert.equal(tryNoOfPath('/h/s/tt.2', 't'), undefined);
  });

  test('substituteVariables: defaults, %% and unresolved references', () => {
    const defs = model('suite s\n  edit A alpha\n  edit B %A%-b\n  task t\nendsuite\n');
    const t = task(defs, '/s/t', 1);
    assert.equal(substituteVariables(t, '%B%/%MISSING%/%MISSING:dflt%/100%%'), 'alpha-b/%MISSING%/dflt/100%');
    assert.equal(substituteVariables(t, '%SUITE%:%ECF_NAME%'), 's:/s/t');
  });
});

describe('logServerFor', () => {
  test('the configured override wins', () => {
    const defs = model('suite s\n  edit ECF_LOGHOST lsvr\n  edit ECF_LOGPORT 9316\n  task t\nendsuite\n');
    assert.deepEqual(logServerFor(task(defs, '/s/t', 1), { host: 'localhost', port: 19316 }), {
      host: 'localhost',
      port: 19316,
      from: 'configured',
    });
  });

  test('inherited ECF_LOGHOST/ECF_LOGPORT (node, ancestors, server), substituted', () => {
    const defs = model('suite s\n  edit ECF_LOGHOST %LOGHOST_BASE%-log\n  edit LOGHOST_BASE hpc1\n  task t\nendsuite\n', {
      ECF_HOME: '/h',
      ECF_LOGPORT: '9316',
    });
    assert.deepEqual(logServerFor(task(defs, '/s/t', 1)), { host: 'hpc1-log', port: 9316, from: 'variables' });
  });

  test('skipped when undefined, when the host keeps the micro character, or the port is no number', () => {
    const cases: Array<[string, RegExp]> = [
      ['suite s\n  task t\nendsuite\n', /not defined/],
      ['suite s\n  edit ECF_LOGHOST %NOPE%\n  edit ECF_LOGPORT 9316\n  task t\nendsuite\n', /not fully substituted/],
      ['suite s\n  edit ECF_MICRO @\n  edit ECF_LOGHOST @NOPE@\n  edit ECF_LOGPORT 9316\n  task t\nendsuite\n', /not fully substituted/],
      ['suite s\n  edit ECF_LOGHOST h\n  edit ECF_LOGPORT abc\n  task t\nendsuite\n', /not a port number/],
    ];
    for (const [text, why] of cases) {
      const r = logServerFor(task(model(text), '/s/t', 1));
      assert.ok(!isLogServerLocation(r));
      assert.match(r.reason, why);
    }
  });
});
