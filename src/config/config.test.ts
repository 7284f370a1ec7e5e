/**
 * Config file: the example as typed objects, optional keys, path rules, and the exact
 * one-line message (file:line: key: what) for each kind of mistake; where the file is
 * (defaultConfigPath / configPathFrom) and loading it (missing default vs missing chosen file).
 */
import assert from 'node:assert/strict';
import { mkdir, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { EcflowError } from '../errors.js';
import {
  configPathFrom,
  defaultConfigPath,
  EcflowConfigError,
  loadConfig,
  parseConfig,
  type EcflowRemoteConfig,
} from './config.js';
import { mkdtempSync, rmSync } from 'node:fs';

const F = '/etc/ecflow-remote/config.toml';
const HOME = '/home/u';

export const EXAMPLE = `[routes.centre]
destination = "ecuser@workstation"  # as ssh takes it; a Host alias of ~/.ssh/config works
jump = ["ecuser@jump"]              # optional ProxyJump chain
ssh_config = "/path/ssh_config"     # optional (ssh -F)
login_command = "tsh login"         # optional: offered/run when the certificate has expired
[servers.op]
host = "machine1"
port = 4141
route = "centre"                    # omit: direct connection
remote_user = "ecuser"              # optional: the user name the server knows you by
custom_user = "ecuser"              # optional: password-based custom user
password_file = "/path/passwd"      # optional: ecFlow passwd format, or a password stored by the UI
ssl = false
logserver = "logserver1:9316"       # optional: overrides ECF_LOGHOST/ECF_LOGPORT
`;

/** Plain objects (the config's records have no prototype) for deepEqual. */
function plain(config: EcflowRemoteConfig): unknown {
  return JSON.parse(JSON.stringify(config));
}

function parse(text: string): EcflowRemoteConfig {
  return parseConfig(text, F, { homedir: HOME });
}

/** The one message a broken text gives. */
function message(text: string): string {
  try {
    parse(text);
  } catch (e) {
    assert.ok(e instanceof EcflowConfigError, String(e));
    assert.equal(e.code, 'CONFIG');
    return e.message;
  }
  assert.fail(`no error for:\n${text}`);
}

test("the issue's example parses to typed objects", () => {
  const config = parse(EXAMPLE);
  assert.deepEqual(plain(config), {
    routes: {
      centre: {
        name: 'centre',
        destination: 'ecuser@workstation',
        jump: ['ecuser@jump'],
        sshConfig: '/path/ssh_config',
        loginCommand: 'tsh login',
      },
    },
    servers: {
      op: {
        name: 'op',
        host: 'machine1',
        port: 4141,
        route: 'centre',
        remoteUser: 'ecuser',
        customUser: 'ecuser',
        passwordFile: '/path/passwd',
        ssl: false,
        logserver: { host: 'logserver1', port: 9316 },
        favourite: false,
        readOnly: false,
      },
    },
    ui: {},
  });
  assert.equal(Object.getPrototypeOf(config.servers), null, 'no prototype: a server named "toString" is not found by accident');
  assert.equal(config.servers['toString'], undefined);
});

test('optional keys for the UI, defaults, and path rules (~/, relative to the file)', () => {
  const config = parse(`
[ui]
port = 8765

[routes.centre]
destination = "ws"
socks_port = 9050
identity_file = "~/.tsh/keys/jump/me"
certificate_file = "keys/me-cert.pub"

[routes.other]
destination = "other"

[servers.op]
host = "machine1"
favourite = true
read_only = true
suites = ["s1", "s2"]
ssl = true
password_file = "passwords/op.passwd"

[servers.direct]
host = "localhost"
port = 3141
logserver = "[::1]:9316"
`);
  assert.deepEqual(plain(config), {
    ui: { port: 8765 },
    routes: {
      centre: {
        name: 'centre',
        destination: 'ws',
        jump: [],
        socksPort: 9050,
        identityFile: '/home/u/.tsh/keys/jump/me',
        certificateFile: '/etc/ecflow-remote/keys/me-cert.pub',
      },
      other: { name: 'other', destination: 'other', jump: [] },
    },
    servers: {
      op: {
        name: 'op',
        host: 'machine1',
        port: 3141,
        passwordFile: '/etc/ecflow-remote/passwords/op.passwd',
        ssl: true,
        favourite: true,
        readOnly: true,
        suites: ['s1', 's2'],
      },
      direct: {
        name: 'direct',
        host: 'localhost',
        port: 3141,
        ssl: false,
        logserver: { host: '::1', port: 9316 },
        favourite: false,
        readOnly: false,
      },
    },
  });
});

test('other TOML spellings of the same tables: dotted keys, inline tables, quoted names', () => {
  const config = parse(`
servers.op.host = "machine1"
servers.op.port = 4141
servers."op-2.b" = { host = "machine2", port = 4142, suites = [ "a",
  "b" ] }
[routes]
centre = { destination = "ws", jump = ["a@jump1", "jump2"] }
`);
  assert.deepEqual(Object.keys(config.servers), ['op', 'op-2.b']);
  assert.equal(config.servers['op-2.b']?.port, 4142);
  assert.deepEqual(config.routes['centre']?.jump, ['a@jump1', 'jump2']);
  assert.deepEqual(plain(parse('')), { routes: {}, servers: {}, ui: {} });
  assert.deepEqual(plain(parse('\ufeff# only a comment\n')), { routes: {}, servers: {}, ui: {} });
});

test('the same name in different tables is fine', () => {
  const config = parse('[routes.op]\ndestination = "ws"\n[servers.op]\nhost = "m"\nroute = "op"\n');
  assert.equal(config.servers['op']?.route, 'op');
});

test('one exact message per kind of mistake, with file, line and key', () => {
  const cases: Array<[string, string]> = [
    // unknown keys, with and without a suggestion
    [EXAMPLE.replace('port = 4141', 'prot = 4141'), `${F}:8: servers.op.prot: unknown key; did you mean 'port'?`],
    [EXAMPLE.replace('remote_user', 'remoteUser'), `${F}:10: servers.op.remoteUser: unknown key; did you mean 'remote_user'?`],
    [EXAMPLE.replace('ssl = false', 'colour = "red"'), `${F}:13: servers.op.colour: unknown key (known: host, port, route, remote_user, custom_user, password_file, ssl, logserver, favourite, read_only, suites)`],
    [EXAMPLE.replace('jump = [', 'jumps = ['), `${F}:3: routes.centre.jumps: unknown key; did you mean 'jump'?`],
    [EXAMPLE.replace('[servers.op]', '[server.op]'), `${F}:6: server: unknown table; did you mean 'servers'?`],
    ['[ui]\nprot = 1\n', `${F}:2: ui.prot: unknown key; did you mean 'port'?`],
    ['[servers.op]\nhostname = "m"\n', `${F}:2: servers.op.hostname: unknown key; did you mean 'host'?`],
    // wrong types
    [EXAMPLE.replace('port = 4141', 'port = "4141"'), `${F}:8: servers.op.port: expected an integer from 1 to 65535, found a string`],
    [EXAMPLE.replace('port = 4141', 'port = 4141.0'), `${F}:8: servers.op.port: expected an integer from 1 to 65535, found a float`],
    [EXAMPLE.replace('ssl = false', 'ssl = "no"'), `${F}:13: servers.op.ssl: expected true or false, found a string`],
    [EXAMPLE.replace('jump = ["ecuser@jump"]', 'jump = "ecuser@jump"'), `${F}:3: routes.centre.jump: expected an array of strings (jump = ["user@jump"]), found a string`],
    [EXAMPLE.replace('jump = ["ecuser@jump"]', 'jump = ["ecuser@jump", 3]'), `${F}:3: routes.centre.jump[1]: expected a string, found an integer`],
    [EXAMPLE.replace('host = "machine1"', 'host = 1979-05-27'), `${F}:7: servers.op.host: expected a string, found a date/time`],
    ['routes = 5\n', `${F}:1: routes: expected a table ([routes.<name>]), found an integer`],
    ['[servers]\nop = "machine1"\n', `${F}:2: servers.op: expected a table ([servers.op]), found a string`],
    // ports out of range
    [EXAMPLE.replace('port = 4141', 'port = 70000'), `${F}:8: servers.op.port: 70000 is out of range (1 to 65535)`],
    [EXAMPLE.replace('port = 4141', 'port = 0'), `${F}:8: servers.op.port: 0 is out of range (1 to 65535)`],
    [`${EXAMPLE}[ui]\nport = -1\n`, `${F}:16: ui.port: -1 is out of range (1 to 65535)`],
    [EXAMPLE.replace('login_command', 'socks_port = 99999999999999999999\nlogin_command'), `${F}:5: routes.centre.socks_port: 99999999999999999999 is out of range (1 to 65535)`],
    [EXAMPLE.replace('logserver1:9316', 'logserver1:93160'), `${F}:14: servers.op.logserver: expected "host:port" with a port from 1 to 65535`],
    [EXAMPLE.replace('logserver1:9316', 'logserver1'), `${F}:14: servers.op.logserver: expected "host:port" with a port from 1 to 65535`],
    // references and required keys
    [EXAMPLE.replace('route = "centre"', 'route = "centr"'), `${F}:9: servers.op.route: no route named 'centr'; did you mean 'centre'?`],
    [EXAMPLE.replace('route = "centre"', 'route = "elsewhere"'), `${F}:9: servers.op.route: no route named 'elsewhere' (defined: centre)`],
    ['[servers.op]\nhost = "m"\nroute = "centre"\n', `${F}:3: servers.op.route: no route named 'centre' (the file defines no [routes.*] table)`],
    [EXAMPLE.replace('host = "machine1"\n', ''), `${F}:6: servers.op: missing required key 'host'`],
    ['[routes.c]\njump = ["j"]\n', `${F}:1: routes.c: missing required key 'destination' (as ssh takes it, e.g. "user@workstation")`],
    // values that are not usable
    [EXAMPLE.replace('"ecuser@workstation"', '"-oProxyCommand=touch /tmp/x"'), `${F}:2: routes.centre.destination: must not contain white space or control characters`],
    [EXAMPLE.replace('"ecuser@workstation"', '"-oProxyCommand=x"'), `${F}:2: routes.centre.destination: must not start with '-' (it would be read as an ssh option)`],
    [EXAMPLE.replace('["ecuser@jump"]', '["a@j1,b@j2"]'), `${F}:3: routes.centre.jump[0]: must not contain ',' (list jump hosts as separate array elements)`],
    [EXAMPLE.replace('host = "machine1"', 'host = ""'), `${F}:7: servers.op.host: must not be empty`],
    [EXAMPLE.replace('host = "machine1"', 'host = "machine 1"'), `${F}:7: servers.op.host: must not contain white space or control characters`],
    ['[servers."my server"]\nhost = "m"\n', `${F}:1: servers."my server": invalid server name: use letters, digits, '-', '_' and '.' (at most 64, starting with a letter or digit)`],
    ['[servers.op]\nhost = "m"\nsuites = ["/s1"]\n', `${F}:3: servers.op.suites[0]: a suite name, without '/'`],
    // TOML syntax: line and column from the parser
    [EXAMPLE.replace('= "tsh login"', '= tsh login'), `${F}:5:17: TOML syntax error: invalid value`],
    [`${EXAMPLE}[servers.op]\nhost = "again"\n`, `${F}:15:2: TOML syntax error: trying to redefine an already defined table or value`],
  ];
  for (const [text, expected] of cases) assert.equal(message(text), expected);
});

test('several mistakes: only the first one in file order is reported', () => {
  const text = `[servers.b]
host = "m"
port = 0

[servers.a]
hots = "m"
`;
  assert.equal(message(text), `${F}:3: servers.b.port: 0 is out of range (1 to 65535)`);
  // a mistake in [servers] reported before one in [ui] that comes later in the file, even
  // though [ui] is checked last
  assert.equal(message('[ui]\nport = 0\n[servers.a]\nport = 1\n'), `${F}:2: ui.port: 0 is out of range (1 to 65535)`);
});

test('the error carries file, line, column and key for a UI', () => {
  try {
    parse(EXAMPLE.replace('port = 4141', 'port = 70000'));
    assert.fail('no error');
  } catch (e) {
    assert.ok(e instanceof EcflowConfigError);
    assert.deepEqual([e.file, e.line, e.column, e.key], [F, 8, undefined, 'servers.op.port']);
    assert.ok(e instanceof EcflowError);
    assert.deepEqual(e.toJSON(), { code: 'CONFIG', message: e.message });
  }
});

test('values are never echoed: a password typed into the config does not reach the message', () => {
  const secret = 'Sup3r-s3cret!';
  for (const text of [
    `[servers.op]\nhost = "m"\npassword = "${secret}"\n`,
    `[servers.op]\nhost = "m"\nport = "${secret}"\n`,
    `[servers.op]\nhost = "m"\nremote_user = "${secret} x"\n`,
    `[servers.op]\nhost = "m"\npassword_file = 12\n# ${secret}\n`,
    `[servers.op]\nhost = "m"\nlogserver = "${secret}"\n`,
    `[servers.op]\nhost = "m"\npassword = ${secret}\n`,
  ]) {
    const m = message(text);
    assert.ok(!m.includes(secret), m);
  }
  assert.equal(
    message(`[servers.op]\nhost = "m"\npassword = "${secret}"\n`),
    `${F}:3: servers.op.password: unknown key; did you mean 'password_file'?`,
  );
});

test('defaultConfigPath: XDG, Windows, macOS', () => {
  const o = { homedir: HOME };
  assert.equal(defaultConfigPath({}, 'linux', o), '/home/u/.config/ecflow-remote/config.toml');
  assert.equal(defaultConfigPath({ XDG_CONFIG_HOME: '/xdg' }, 'linux', o), '/xdg/ecflow-remote/config.toml');
  assert.equal(defaultConfigPath({ XDG_CONFIG_HOME: '' }, 'linux', o), '/home/u/.config/ecflow-remote/config.toml');
  assert.equal(defaultConfigPath({ XDG_CONFIG_HOME: 'rel' }, 'freebsd', o), '/home/u/.config/ecflow-remote/config.toml');
  assert.equal(
    defaultConfigPath({ APPDATA: 'C:\\Users\\u\\AppData\\Roaming' }, 'win32', { homedir: 'C:\\Users\\u' }),
    'C:\\Users\\u\\AppData\\Roaming\\ecflow-remote\\config.toml',
  );
  assert.equal(defaultConfigPath({}, 'win32', { homedir: 'C:\\Users\\u' }), 'C:\\Users\\u\\AppData\\Roaming\\ecflow-remote\\config.toml');
  const mac = '/home/u/Library/Application Support/ecflow-remote/config.toml';
  assert.equal(defaultConfigPath({}, 'darwin', { ...o, exists: (p) => p === mac }), mac);
  assert.equal(defaultConfigPath({ XDG_CONFIG_HOME: '/xdg' }, 'darwin', { ...o, exists: () => false }), '/xdg/ecflow-remote/config.toml');
});

test('configPathFrom: --config F, --config=F, ECFLOW_REMOTE_CONFIG, default', () => {
  const o = { homedir: HOME };
  assert.deepEqual(configPathFrom(['client', '--config', '/a.toml', '--ping'], {}, 'linux', o), { path: '/a.toml', explicit: true, source: 'argv' });
  assert.deepEqual(configPathFrom(['--config=~/b.toml'], { ECFLOW_REMOTE_CONFIG: '/env.toml' }, 'linux', o), {
    path: '/home/u/b.toml',
    explicit: true,
    source: 'argv',
  });
  assert.equal(configPathFrom(['--config', 'rel.toml'], {}, 'linux', o).path, join(process.cwd(), 'rel.toml'));
  assert.deepEqual(configPathFrom(['--', '--config', '/x'], { ECFLOW_REMOTE_CONFIG: '~/env.toml' }, 'linux', o), {
    path: '/home/u/env.toml',
    explicit: true,
    source: 'env',
  });
  assert.deepEqual(configPathFrom([], { ECFLOW_REMOTE_CONFIG: '' }, 'linux', o), {
    path: '/home/u/.config/ecflow-remote/config.toml',
    explicit: false,
    source: 'default',
  });
  for (const argv of [['--config'], ['--config', '--ping'], ['--config=']]) {
    assert.throws(() => configPathFrom(argv, {}, 'linux', o), (e) => e instanceof EcflowError && e.code === 'INVALID_ARGUMENT' && /--config needs a file name/.test(e.message));
  }
});

let dir: string;
before(() => {
  dir = mkdtempSync(join(tmpdir(), 'config-test-'));
});
after(() => rmSync(dir, { recursive: true, force: true }));

test('loadConfig: a missing default file is an empty config; a missing chosen file is an error', async () => {
  const xdg = join(dir, 'xdg');
  const empty = await loadConfig({ env: { XDG_CONFIG_HOME: xdg }, platform: 'linux' });
  assert.deepEqual(
    { ...plain(empty) as object },
    { routes: {}, servers: {}, ui: {}, path: join(xdg, 'ecflow-remote', 'config.toml'), dir: join(xdg, 'ecflow-remote'), exists: false, explicit: false },
  );
  const missing = join(dir, 'nope.toml');
  await assert.rejects(loadConfig({ path: missing }), (e) => e instanceof EcflowConfigError && e.message === `${missing}: the file does not exist`);
  await assert.rejects(
    loadConfig({ env: { ECFLOW_REMOTE_CONFIG: missing } }),
    (e) => e instanceof EcflowConfigError && e.message === `${missing} (named by ECFLOW_REMOTE_CONFIG): the file does not exist`,
  );
  await assert.rejects(loadConfig({ path: dir }), (e) => e instanceof EcflowConfigError && e.message === `${dir}: it is a directory, not a file`);
});

test('loadConfig: reads the default file, the env file, a chosen file; relative paths from its folder', async () => {
  const xdg = join(dir, 'xdg2');
  await mkdir(join(xdg, 'ecflow-remote'), { recursive: true });
  const path = join(xdg, 'ecflow-remote', 'config.toml');
  await writeFile(path, `${EXAMPLE}[servers.rel]\nhost = "m"\npassword_file = "pw/rel.passwd"\n`);
  const byDefault = await loadConfig({ env: { XDG_CONFIG_HOME: xdg }, platform: 'linux' });
  assert.equal(byDefault.exists, true);
  assert.equal(byDefault.explicit, false);
  assert.equal(byDefault.path, path);
  assert.equal(byDefault.servers['op']?.route, 'centre');
  assert.equal(byDefault.servers['rel']?.passwordFile, join(xdg, 'ecflow-remote', 'pw', 'rel.passwd'));
  const byEnv = await loadConfig({ env: { ECFLOW_REMOTE_CONFIG: path } });
  assert.equal(byEnv.explicit, true);
  await writeFile(join(dir, 'bad.toml'), EXAMPLE.replace('port = 4141', 'port = 65536'));
  await assert.rejects(
    loadConfig({ path: join(dir, 'bad.toml') }),
    (e) => e instanceof EcflowConfigError && e.message === `${join(dir, 'bad.toml')}:8: servers.op.port: 65536 is out of range (1 to 65535)`,
  );
});
