/**
 * `ecflow-remote doctor` in the namespace lab (test/helpers/lab): all good; a server that does not
 * know our login name; an expired certificate; a wrong config file.
 */
import assert from 'node:assert/strict';
import { chmodSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { canBuildLab, startCentreLab } from './helpers/lab/centre-lab.js';

const CLI = fileURLToPath(new URL('../../bin/ecflow-remote.js', import.meta.url));

test('doctor: says what is wrong and how to fix it', async (t) => {
  const cap = await canBuildLab();
  if (!cap.ok) {
    t.diagnostic(`skipped: ${cap.reason}`);
    t.skip(cap.reason);
    return;
  }
  const lab = await startCentreLab();
  t.after(() => lab.stop());
  const pw = await lab.writeFile('b.passwd', `4.5.0\necuser machine2 4142 ${lab.servers.b.password}\n`);
  chmodSync(pw, 0o600);
  const route = `[routes.centre]\ndestination = "ws"\nssh_config = "${lab.user.sshConfig}"\nlogin_command = "tsh login --proxy=jump"\n`;
  const good = await lab.writeFile(
    'good.toml',
    `${route}[servers.a]\nhost = "machine1"\nport = 4141\nroute = "centre"\nremote_user = "ecuser"\n` +
      `[servers.b]\nhost = "machine2"\nport = 4142\nroute = "centre"\ncustom_user = "ecuser"\npassword_file = "${pw}"\n`,
  );
  const runtime = mkdtempSync(join(tmpdir(), 'doctor-rt-'));
  chmodSync(runtime, 0o700);
  const doctor = (config: string) => lab.homeExec(['node', CLI, 'doctor', `--config=${config}`], { XDG_RUNTIME_DIR: runtime });

  await t.test('all good: exit 0, both servers and both log servers checked', async () => {
    const r = await doctor(good);
    assert.equal(r.code, 0, r.stdout + r.stderr);
    assert.match(r.stdout, /✓ route centre: ssh goes to ecuser@workstation:22 via jump/);
    assert.match(r.stdout, /✓ route centre: came up in/);
    assert.match(r.stdout, /✓ server a \(machine1:4141 via centre\): reachable, ecFlow 5\.9\.2, accepted as user 'ecuser'/);
    assert.match(r.stdout, /✓ server a .*log server logserver1:9316 answers/);
    assert.match(r.stdout, /✓ server b .*accepted as custom user 'ecuser'/);
    assert.match(r.stdout, /✓ server b .*log server logserver2:9316 answers/);
    assert.match(r.stdout, /All good/);
  });

  await t.test('a server that does not know our login name: the fix names remote_user', async () => {
    const cfg = await lab.writeFile('me.toml', `${route}[servers.mine]\nhost = "machine1"\nport = 4141\nroute = "centre"\n`);
    const r = await doctor(cfg);
    assert.equal(r.code, 1);
    assert.match(r.stdout, /✗ server mine .*User '\w+' is not allowed any access/);
    assert.match(r.stdout, /fix: .*remote_user = /);
  });

  await t.test('an expired certificate: needs login, the fix is the login command, servers not checked', async () => {
    await lab.issueCertificate({ validFor: '-1m' });
    const r = await doctor(good);
    assert.equal(r.code, 1);
    assert.match(r.stdout, /✗ route centre: certificate .* expired at/);
    assert.match(r.stdout, /fix: run: tsh login --proxy=jump/);
    assert.match(r.stdout, /✗ server a .*not checked: route centre is not up/);
    await lab.issueCertificate({ validFor: '+30m' });
    assert.equal((await doctor(good)).code, 0);
  });

  await t.test('a wrong config: file, line and key', async () => {
    const bad = await lab.writeFile('bad.toml', `${route}[servers.a]\nhost = "machine1"\nprot = 4141\n`);
    const r = await doctor(bad);
    assert.equal(r.code, 1);
    assert.match(r.stdout, /bad\.toml:7: servers\.a\.prot: unknown key; did you mean 'port'\?/);
  });
});
