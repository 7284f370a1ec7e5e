/**
 * saveConfig / formatConfig (round trip, 0600, atomic, refuses what would not load) and
 * storePassword (ecFlow passwd 4.5.0, 0600, usable by the client, never in a message).
 */
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { readdir, readFile, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { resolveIdentity } from '../client/identity.js';
import { ecfCrypt } from '../protocol/crypt.js';
import { findPassword, parsePasswdFile } from '../protocol/passwd-file.js';
import { EcflowError } from '../errors.js';
import {
  EcflowConfigError,
  formatConfig,
  loadConfig,
  parseConfig,
  passwordFilePath,
  saveConfig,
  storePassword,
  type EcflowRemoteConfig,
  type ServerConfig,
} from './config.js';

let dir: string;
let home: string;
before(() => {
  dir = mkdtempSync(join(tmpdir(), 'config-save-'));
  home = join(dir, 'home');
});
after(() => rmSync(dir, { recursive: true, force: true }));

const plain = (c: EcflowRemoteConfig): unknown => JSON.parse(JSON.stringify({ routes: c.routes, servers: c.servers, ui: c.ui }));

const FULL = `[ui]
port = 8765

[routes.centre]
destination = "ecuser@workstation"
jump = ["ecuser@jump", "other@jump2"]
ssh_config = "~/.ssh/centre_config"
login_command = "tsh login --proxy=jump.ecmwf.int"
socks_port = 9050
identity_file = "/keys/id"
certificate_file = "~/.tsh/keys/jump/me-ssh/c-cert.pub"

[servers.op]
host = "machine1"
port = 4141
route = "centre"
remote_user = "ecuser"
custom_user = "ecuser"
password_file = "/path/passwd"
ssl = true
logserver = "logserver1:9316"
favourite = true
read_only = true
suites = ["s1", "s2"]

[servers."b.2"]
host = "::1"
logserver = "[::1]:9316"
`;

test('save → load gives the same configuration; mode 0600; no temporary file left', async () => {
  const cfgDir = join(dir, 'rt');
  const path = join(cfgDir, 'config.toml');
  const original = parseConfig(FULL, join(dir, 'x.toml'), { homedir: home });
  await saveConfig(path, original, { homedir: home });
  const loaded = await loadConfig({ path, homedir: home });
  assert.deepEqual(plain(loaded), plain(original));
  assert.equal((await stat(path)).mode & 0o777, 0o600);
  assert.equal((await stat(cfgDir)).mode & 0o777, 0o700);
  assert.deepEqual(await readdir(cfgDir), ['config.toml']);
  const text = await readFile(path, 'utf8');
  assert.match(text, /^ssh_config = "~\/\.ssh\/centre_config"$/m, 'paths under home are written with ~/');
  assert.match(text, /^\[servers\."b\.2"\]$/m);
  // save again over it (rename over an existing file), still 0600
  await writeFile(path, 'junk', { mode: 0o644 });
  await saveConfig(path, loaded, { homedir: home });
  assert.equal((await stat(path)).mode & 0o777, 0o600);
  assert.deepEqual(plain(await loadConfig({ path, homedir: home })), plain(original));
});

test('the UI adds, edits and removes servers: every table is kept', async () => {
  const path = join(dir, 'ui', 'config.toml');
  await saveConfig(path, parseConfig(FULL, path, { homedir: home }), { homedir: home });
  const config = await loadConfig({ path, homedir: home });
  const op = config.servers['op'];
  assert.ok(op);
  const added: ServerConfig = { name: 'op2', host: 'machine2', port: 4142, route: 'centre', ssl: false, favourite: false, readOnly: false };
  const servers = { ...config.servers, op: { ...op, port: 4143, favourite: false }, op2: added };
  delete (servers as Record<string, ServerConfig>)['b.2'];
  await saveConfig(path, { ...config, servers }, { homedir: home });
  const again = await loadConfig({ path, homedir: home });
  assert.deepEqual(Object.keys(again.servers), ['op', 'op2']);
  assert.equal(again.servers['op']?.port, 4143);
  assert.equal(again.servers['op']?.favourite, false);
  assert.deepEqual(plain(again), plain({ ...config, servers }));
  assert.deepEqual(again.ui, { port: 8765 });
  assert.deepEqual(Object.keys(again.routes), ['centre']);
});

test('strings that need escaping survive the round trip', () => {
  const tricky = 'tsh login --proxy="a b" \\ \t tab ünïcödé \u{1F600} \'q\' """';
  const config = parseConfig(`[routes.r]\ndestination = "ws"\nlogin_command = ${JSON.stringify(tricky)}\n`, '/x/c.toml');
  assert.equal(config.routes['r']?.loginCommand, tricky);
  const back = parseConfig(formatConfig(config), '/x/c.toml');
  assert.equal(back.routes['r']?.loginCommand, tricky);
});

test('saveConfig refuses a configuration that would not load, and leaves the file alone', async () => {
  const path = join(dir, 'refuse', 'config.toml');
  const config = parseConfig(FULL, path, { homedir: home });
  await saveConfig(path, config, { homedir: home });
  const before = await readFile(path, 'utf8');
  const op = config.servers['op'];
  assert.ok(op);
  const cases: Array<[EcflowRemoteConfig, RegExp]> = [
    [{ ...config, servers: { ...config.servers, op: { ...op, route: 'nowhere' } } }, /\(not written\):\d+: servers\.op\.route: no route named 'nowhere'/],
    [{ ...config, servers: { ...config.servers, op: { ...op, port: 0 } } }, /servers\.op\.port: 0 is out of range/],
    [{ ...config, servers: { ...config.servers, 'bad name': { ...op, name: 'bad name' } } }, /invalid server name/],
    [{ ...config, servers: { ...config.servers, op: { ...op, name: 'other' } } }, /servers\.op: the entry's name is 'other'/],
    [{ ...config, servers: { ...config.servers, op: { ...op, host: 'a b' } } }, /servers\.op\.host: must not contain white space/],
  ];
  for (const [bad, pattern] of cases) {
    await assert.rejects(saveConfig(path, bad, { homedir: home }), (e) => e instanceof EcflowConfigError && pattern.test(e.message));
  }
  assert.equal(await readFile(path, 'utf8'), before);
  assert.deepEqual(await readdir(join(dir, 'refuse')), ['config.toml']);
});

test('saveConfig: an unwritable folder is a CONFIG error naming the path', async () => {
  const blocker = join(dir, 'blocker');
  await writeFile(blocker, 'a file, not a folder');
  await assert.rejects(
    saveConfig(join(blocker, 'config.toml'), parseConfig('', '/x.toml')),
    (e) => e instanceof EcflowError && e.code === 'CONFIG' && e.message.startsWith(`cannot write ${join(blocker, 'config.toml')}: `),
  );
});

test('storePassword: ecFlow passwd 4.5.0, mode 0600 in a 0700 folder, found by the client', async () => {
  const configDir = join(dir, 'pw');
  const secret = 'Zx9-pa55.w0rd!';
  const path = await storePassword(configDir, 'op', 'machine1', 4141, 'ecuser', secret);
  assert.equal(path, passwordFilePath(configDir, 'op'));
  assert.equal(path, join(configDir, 'passwords', 'op.passwd'));
  assert.equal((await stat(path)).mode & 0o777, 0o600);
  assert.equal((await stat(join(configDir, 'passwords'))).mode & 0o777, 0o700);
  const text = await readFile(path, 'utf8');
  const parsed = parsePasswdFile(text, path);
  assert.equal(parsed.version, '4.5.0');
  assert.equal(findPassword(parsed.entries, { user: 'ecuser', host: 'machine1', port: 4141 }), secret);
  // what EcflowClient does with password_file
  const who = await resolveIdentity({ customUser: 'ecuser', passwordFile: path }, { host: 'machine1', port: 4141 }, { env: {}, onWarning: () => assert.fail('0600 file must not warn') });
  assert.deepEqual(who, { user: 'ecuser', customUser: true, passwordHash: ecfCrypt(secret, 'ecuser'), passwordSource: path });
  // replaced, not appended
  await storePassword(configDir, 'op', 'machine1', 4141, 'ecuser', 'new-one');
  const again = parsePasswdFile(await readFile(path, 'utf8'), path);
  assert.deepEqual(again.entries.map((e) => e.password), ['new-one']);
  assert.deepEqual(await readdir(join(configDir, 'passwords')), ['op.passwd']);
  // and the config can point at it
  const config = parseConfig(`[servers.op]\nhost = "machine1"\npassword_file = ${JSON.stringify(path)}\n`, join(configDir, 'config.toml'));
  assert.equal(config.servers['op']?.passwordFile, path);
});

test('storePassword: what a passwd file cannot hold is refused, and the password is in no message', async () => {
  const configDir = join(dir, 'pw-bad');
  const secrets = ['with space', 'hash#tag', 'tab\there', 'new\nline', ''];
  for (const secret of secrets) {
    await assert.rejects(storePassword(configDir, 'op', 'm', 1, 'u', secret), (e) => {
      assert.ok(e instanceof EcflowError && e.code === 'INVALID_ARGUMENT', String(e));
      if (secret !== '') assert.ok(!e.message.includes(secret), e.message);
      assert.match(e.message, /^cannot store the password for server 'op': the password (is empty|contains white space, '#' or control characters)/);
      return true;
    });
  }
  const ok = 'fine-secret';
  const bad: Array<[string, string, number, string, RegExp]> = [
    ['bad name', 'm', 1, 'u', /invalid server name 'bad name'/],
    ['op', 'm x', 1, 'u', /the host is empty or contains white space/],
    ['op', 'm', 0, 'u', /port 0 is not from 1 to 65535/],
    ['op', 'm', 1, 'u#', /the user name is empty or contains white space or '#'/],
  ];
  for (const [name, host, port, user, pattern] of bad) {
    await assert.rejects(storePassword(configDir, name, host, port, user, ok), (e) => {
      assert.ok(e instanceof EcflowError && pattern.test(e.message) && !e.message.includes(ok), String(e));
      return true;
    });
  }
  await assert.rejects(readdir(join(configDir, 'passwords')), /ENOENT/, 'nothing written');
});
