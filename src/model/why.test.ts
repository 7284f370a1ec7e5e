/**
 * why(): unit scenarios on hand-written NET text, and the same lines as the real
 * `ecflow_client --group="get; why=PATH"` (Debian 5.9.2) on live scenarios: server halted,
 * suspended parent, trigger on a queued task, full limit with its consumers, time/day/date/cron,
 * complete expression, freed trigger, shut-down server.
 */

import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { startEcflowServer, type EcflowServer, ECFLOW_SERVER_BIN } from '../../test/helpers/ecflow-server.js';
import { freePort } from '../../test/helpers/ports.js';
import { parseDefs } from '../protocol/defs-parser.js';
import type { Defs } from './defs.js';
import { why, whyReasons } from './why.js';

function load(text: string): Defs {
  const { defs } = parseDefs(text);
  return defs;
}
function node(defs: Defs, path: string) {
  const n = defs.findNode(path);
  assert.ok(n, `no node ${path}`);
  return n;
}

const CAL = 'calendar initTime:2024-Jan-01 10:00:00 suiteTime:2024-Jan-01 10:00:00 duration:00:00:00 initLocalTime:2024-Jan-01 10:00:00 lastTime:2024-Jan-01 10:00:00 calendarIncrement:00:01:00';

describe('why() on model text', () => {
  it('server halted comes first and the walk continues down to the node', () => {
    const defs = load(
      '#5.9.2\ndefs_state NET state>:queued server_state:HALTED cal_count:0\nsuite s # begun:1 state:queued\n' +
        `${CAL}\nfamily f # state:queued\ntask t1 # state:queued\ntask t2 # state:queued\ntrigger t1 == complete\nendfamily\nendsuite\n# enddef\n`,
    );
    assert.deepEqual(why(defs, node(defs, '/s/f/t2'), { details: false }), [
      'The server is *not* RUNNING.',
      'TASK /s/f/t2(queued) expression (t1(queued) == complete) is false',
    ]);
    assert.deepEqual(why(defs, node(defs, '/s/f/t2')), [
      'The server is *not* RUNNING.',
      '  - the server is HALTED: it submits no jobs and refuses commands from running jobs',
      'TASK /s/f/t2(queued) expression (t1(queued) == complete) is false',
      '  - /s/f/t1 is queued, expected complete',
    ]);
  });

  it('a shut-down server', () => {
    const defs = load('#5.9.2\ndefs_state NET state>:queued server_state:SHUTDOWN cal_count:0\nsuite s # begun:1 state:queued\ntask t # state:queued\nendsuite\n');
    assert.deepEqual(why(defs, node(defs, '/s/t')), ['The server is *not* RUNNING.', '  - the server is SHUTDOWN: it submits no new jobs']);
  });

  it('complete nodes: defstatus, complete expression and finished repeat are explained', () => {
    const defs = load(
      '#5.9.2\ndefs_state NET state>:complete cal_count:0\nsuite s # begun:1 state:complete\n' +
        'family f # state:complete\nrepeat integer I 1 3 # 4\ntask a # state:complete\ndefstatus complete\ntask b # state:complete\ncomplete a == complete\nendfamily\nendsuite\n',
    );
    assert.deepEqual(why(defs, node(defs, '/s/f/a')), [
      'The definition state(complete) is not queued or aborted.',
      'SUITE:/s (complete) is not queued or aborted',
      'FAMILY:/s/f (complete) is not queued or aborted',
      '  - repeat I has run all its values',
      'TASK:/s/f/a (complete) is not queued or aborted',
      '  - defstatus complete: set complete on every begin/requeue',
    ]);
    assert.deepEqual(why(defs, node(defs, '/s/f/b')).slice(-2), [
      'TASK:/s/f/b (complete) is not queued or aborted',
      '  - its complete expression holds: a == complete',
    ]);
  });

  it('a suite that was not begun', () => {
    const defs = load('#5.9.2\ndefs_state NET state>:unknown cal_count:0\nsuite s\ntask t\nendsuite\n');
    assert.deepEqual(why(defs, node(defs, '/s/t')), [
      'The definition state(unknown) is not queued or aborted.',
      'SUITE:/s (unknown) is not queued or aborted',
      '  - the suite has not been begun',
      'TASK:/s/t (unknown) is not queued or aborted',
    ]);
  });

  it('a full limit lists at most four consumers, the details all of them', () => {
    const defs = load(
      '#5.9.2\ndefs_state NET state>:active cal_count:0\nsuite s # begun:1 state:active\n' +
        'limit l 5 # 5 /s/a /s/b /s/c /s/d /s/e\ntask t # state:queued\ninlimit l\ninlimit -n /s:l 2\nendsuite\n',
    );
    const lines = why(defs, node(defs, '/s/t'));
    assert.deepEqual(lines.slice(-6), [
      'limit l is full(/s/a,/s/b,/s/c,/s/d,...)',
      '  - /s:l is at 5 of 5; this node needs 1 token',
      '  - consumed by /s/a, /s/b, /s/c, /s/d, /s/e',
      'limit /s:l is full(/s/a,/s/b,/s/c,/s/d,...)',
      '  - /s:l is at 5 of 5; this node needs 2 tokens',
      '  - consumed by /s/a, /s/b, /s/c, /s/d, /s/e',
    ]);
  });

  it('a complete expression that holds, or a freed trigger, hides the trigger', () => {
    const defs = load(
      '#5.9.2\ndefs_state NET state>:queued cal_count:0\nsuite s # begun:1 state:queued\n' +
        'task a # state:queued\ntask b # state:queued\ncomplete 1 == 1\ntrigger a == complete\n' +
        'task c # state:queued\ntrigger a == complete # free\ntask d # state:queued\ncomplete a == complete\ntrigger a == complete\nendsuite\n',
    );
    assert.deepEqual(whyReasons(defs, node(defs, '/s/b')).map((r) => r.kind), []);
    assert.deepEqual(whyReasons(defs, node(defs, '/s/c')).map((r) => r.kind), []);
    assert.deepEqual(whyReasons(defs, node(defs, '/s/d')).map((r) => r.kind), ['trigger']);
  });

  it('time attributes against the suite calendar', () => {
    const defs = load(
      '#5.9.2\ndefs_state NET state>:queued cal_count:0\nsuite s # begun:1 state:queued\n' +
        `${CAL}\ntask t # state:queued\ntime 11:30\ntoday 09:00\ntime 08:00 12:00 01:00 # nextTimeSlot/11:00\ncron 23:00\n` +
        'task u # state:queued\ntime +01:00 # relativeDuration/00:20:00\nday friday # date:2024-Jan-05\ndate 2.1.2024\nendsuite\n',
    );
    assert.deepEqual(why(defs, node(defs, '/s/t'), { details: false }), [
      'TASK /s/t(queued) is time dependent ( next run time is 11:30, current suite time is 10:00 )',
      'TASK /s/t(queued) is time dependent ( next run time is 11:00, current suite time is 10:00 )',
      'TASK /s/t(queued) is cron dependent ( next run time is 23:00, current suite time is 10:00 )',
    ]);
    assert.deepEqual(why(defs, node(defs, '/s/u'), { details: false }), [
      'TASK /s/u(queued)  is day dependent ( next run on friday 2024-Jan-05 the current day is monday )',
      'TASK /s/u(queued)  is date dependent ( next run on 2024-Jan-02 the current date is 1/1/2024 )',
      'TASK /s/u(queued) is time and day and date dependent ( next run time is +01:00, current suite time is +00:20 )',
    ]);
  });

  it('the trigger reason carries the explained expression', () => {
    const defs = load('#5.9.2\ndefs_state NET state>:queued cal_count:0\nsuite s # begun:1 state:queued\ntask a # state:queued\nmeter m 0 100\ntask b # state:queued\ntrigger a:m ge 10 or a == complete\nendsuite\n');
    const r = whyReasons(defs, node(defs, '/s/b')).find((x) => x.kind === 'trigger');
    assert.ok(r?.expression);
    assert.equal(r.expression.result, false);
    assert.deepEqual(r.details, ['/s/a:m is 0, expected >= 10', '/s/a is queued, expected complete']);
  });
});

const haveServer = existsSync(ECFLOW_SERVER_BIN) || ECFLOW_SERVER_BIN === 'ecflow_server';

describe('why() agrees with ecflow_client --why (5.9.2)', { skip: !haveServer && 'ecflow_server not installed' }, () => {
  let server: EcflowServer;

  const SUITE = `suite w
  edit ECF_JOB_CMD 'true'
  limit lim 1
  family held
    task h1
  endfamily
  family f
    task t1
      defstatus suspended
      meter m 0 100
    task t2
      event ev
      trigger t1 == complete
    task t3
      trigger t1 == complete or (/w/f/t2:ev and 1 == 1)
      complete t2 == aborted
    task t4
      inlimit lim
    task t5
      inlimit lim
      trigger t4 == active
    task t6
      time +23:00
      today +22:00
    task t7
      date 1.1.2099
    task t8
      trigger ../held == complete and t1:m ge 10
      trigger -o t2:ev
    task t9
      trigger t2 == complete
    task t10
      complete 1 == 1
      trigger t2 == complete
  endfamily
  family g
    trigger f == complete
    task a
  endfamily
  family tm
    task a
      time 00:01
    task b
      time 00:10 23:50 00:20
    task d
      today 23:55
    task e
      time 00:01
      day monday
    task f
      cron -w 1,2 10:00
    task g
      cron 00:01 23:59 00:30
    task h
      cron -d 1,15,L 08:00
    task j
      today 00:10 23:50 00:15
  endfamily
endsuite
`;
  const TIMED = ['a', 'b', 'd', 'e', 'f', 'g', 'h', 'j'].map((t) => `tm/${t}`);
  const PATHS = [
    ...['/w/held/h1', '/w/f/t1', '/w/f/t2', '/w/f/t3', '/w/f/t4', '/w/f/t5', '/w/f/t6', '/w/f/t7', '/w/f/t8', '/w/f/t9', '/w/f/t10'],
    ...['/w/g/a', '/w/g', ...TIMED.map((t) => `/w/${t}`)],
  ];

  before(async () => {
    server = await startEcflowServer({ port: await freePort({ min: 42000, max: 42999 }) });
    // Scripts so that jobs can be generated; ECF_JOB_CMD 'true' leaves them submitted.
    for (const t of ['held/h1', 'f/t1', 'f/t2', 'f/t3', 'f/t4', 'f/t5', 'f/t6', 'f/t7', 'f/t8', 'f/t9', 'f/t10', 'g/a', ...TIMED]) {
      await mkdir(join(server.ecfHome, 'w', t.split('/')[0]!), { recursive: true });
      await writeFile(join(server.ecfHome, 'w', `${t}.ecf`), 'echo hello\n');
    }
  });
  after(async () => {
    await server?.stop();
  });

  async function client(args: string[]): Promise<string> {
    const r = await server.ecflowClient(args);
    assert.equal(r.code, 0, `${args.join(' ')}: ${r.stderr}`);
    return r.stdout;
  }

  /** Compare ours with ecflow_client for every path; time lines may differ at a minute change. */
  async function compareAll(label: string): Promise<number> {
    for (let attempt = 0; ; attempt++) {
      const defs = load(await client(['--get_state']));
      const mismatches: string[] = [];
      for (const p of PATHS) {
        const n = defs.findNode(p);
        assert.ok(n, `${label}: no ${p}`);
        const theirs = (await client([`--group=get; why=${p}`])).trimEnd();
        const ours = why(defs, n, { details: false }).join('\n');
        if (ours !== theirs) mismatches.push(`${p}\n--- ecflow_client:\n${theirs}\n--- ours:\n${ours}`);
      }
      if (mismatches.length === 0) return PATHS.length;
      if (attempt >= 1) assert.fail(`${label}:\n${mismatches.join('\n')}`);
    }
  }

  it('server halted (just loaded and begun)', async () => {
    const file = await server.clientFile('w.def', SUITE);
    await client([`--load=${file}`]);
    await client(['--begin=/w']);
    await client(['--suspend=/w/held']);
    await compareAll('halted');
  });

  it('server running: suspended parent, queued trigger, full limit, time/date, complete, freed trigger', { timeout: 120_000 }, async () => {
    await client(['--restart']);
    // Wait until the limit is taken by a submitted job.
    for (let i = 0; i < 100; i++) {
      if (/task t4 .*state:submitted/.test(await client(['--get_state=/w']))) break;
      await new Promise((r) => setTimeout(r, 100));
    }
    await client(['--free-dep=trigger', '/w/f/t9']);
    const n = await compareAll('running');
    assert.equal(n, PATHS.length);
    // The full limit names its consumer.
    const defs = load(await client(['--get_state']));
    const lines = why(defs, defs.findNode('/w/f/t5')!);
    assert.ok(lines.some((l) => /^limit lim is full\(\/w\/f\/t[0-9]+,\)$/.test(l)), lines.join('\n'));
  });

  it('server shut down', async () => {
    await client(['--shutdown=yes']);
    await compareAll('shutdown');
  });
});
