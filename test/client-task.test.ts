/**
 * EcflowClient.requestTask plays a job against a REAL ecflow_server: the server submits the task
 * (ECF_JOB_CMD 'true', so nothing runs), we read ECF_PASS from the generated job file and send the
 * child commands a job would (init, event, meter, label, complete), checking the node state with
 * user commands in between.
 */
import assert from 'node:assert/strict';
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { test } from 'node:test';
import { EcflowClient, expectReply } from '../src/client/ecflow-client.js';
import { CtsNodeApi, type TaskIdentity } from '../src/protocol/commands.js';
import { startEcflowServer } from './helpers/ecflow-server.js';

const DEFS = `suite s1
  edit ECF_JOB_CMD 'true'
  task t1
    event ev
    meter m 0 100
    label info ""
endsuite
`;

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

test('requestTask: init, event, meter, label, complete as a job would', async (t) => {
  const srv = await startEcflowServer({ halted: true });
  t.after(() => srv.stop());
  await mkdir(join(srv.ecfHome, 's1'), { recursive: true });
  await writeFile(join(srv.ecfHome, 's1', 't1.ecf'), 'ECF_PASS=%ECF_PASS%\n');
  await writeFile(join(srv.ecfHome, 'task.def'), DEFS);
  for (const args of [[`--load=${join(srv.ecfHome, 'task.def')}`], ['--restart'], ['--begin']]) {
    const r = await srv.ecflowClient(args, { ECF_PASSWD: srv.passwdFile });
    assert.equal(r.code, 0, r.stderr + r.stdout);
  }

  // Wait for the job file the server generated on submission.
  const jobFile = join(srv.ecfHome, 's1', 't1.job1');
  let text = '';
  for (let i = 0; i < 100 && !text; i++) {
    text = await readFile(jobFile, 'utf8').catch(() => '');
    if (!text) await sleep(100);
  }
  const pass = /ECF_PASS=(\S+)/.exec(text)?.[1];
  assert.ok(pass, `no ECF_PASS in ${jobFile}: ${text}`);

  const client = new EcflowClient({ host: srv.host, port: srv.port, env: {} });
  const task: TaskIdentity = { host: 'jobhost', path: '/s1/t1', jobsPassword: pass, processId: '4242', tryNo: 1 };
  const node = async () => {
    const r = await client.request({ cmd: 'CtsNodeCmd', api: CtsNodeApi.GET, absNodePath: '/s1/t1' });
    return expectReply(r, 'SNodeCmd').node;
  };

  assert.equal((await client.requestTask({ cmd: 'InitCmd' }, task)).reply, 'StcCmd');
  assert.match(await node(), /active/);
  await client.requestTask({ cmd: 'EventCmd', name: 'ev' }, task);
  await client.requestTask({ cmd: 'MeterCmd', name: 'm', value: 42 }, task);
  await client.requestTask({ cmd: 'LabelCmd', name: 'info', label: 'half way' }, task);
  const mid = await node();
  assert.match(mid, /meter m 0 100 100 # 42/);
  assert.match(mid, /label info "" # "half way"/);
  assert.equal((await client.requestTask({ cmd: 'CompleteCmd' }, task)).reply, 'StcCmd');
  assert.match(await node(), /complete/);

  // A job with the wrong password is a zombie: the server answers OK ("fob"), ignores the label
  // and flags the task.
  const wrong = { ...task, jobsPassword: 'not-the-password' };
  const reply = await client.requestTask({ cmd: 'LabelCmd', name: 'info', label: 'from a zombie' }, wrong);
  assert.equal(reply.reply, 'StcCmd');
  const after = await node();
  assert.doesNotMatch(after, /from a zombie/);
  assert.match(after, /flag:zombie/);
});
