// The formats written for ecflow_ui (servers.txt, boost property-tree JSON settings, first session,
// passwd files, proxychains4 configuration), the log-server census, and the config directory's
// lock, state and per-run folder.
import assert from 'node:assert/strict';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, test } from 'node:test';
import fc from 'fast-check';
import { parseDefs } from '../protocol/defs-parser.js';
import { parsePasswdFile } from '../protocol/passwd-file.js';
import { currentSessionName, defaultUiConfigDir, LOCK_FILE, makeRunDir, openUiConfigDir } from './config-dir.js';
import { censusNote, logServerCensus } from './log-servers.js';
import { checkLoginName, nssWrapperEnv } from './login-name.js';
import { formatPasswdFile, lookupPassword } from './passwd-files.js';
import { proxychainsConf } from './proxychains.js';
import { checkUiServerEntry, formatServerLine, mergeServersTxt, serverLineName, SERVERS_TXT_HEADER } from './servers-txt.js';
import { firstSessionJson, mergeSettings, settingAt } from './settings-json.js';

const tmp = () => mkdtempSync(join(tmpdir(), 'ecflow-ui-unit-'));

describe('servers.txt', () => {
  test('one line per server in 5.9.2 column order: name,host,port,favourite,system,ssl,user', () => {
    assert.equal(formatServerLine({ name: 'op', host: 'localhost', port: 41873, favourite: true, ssl: false }), 'op,localhost,41873,1,0,0,');
    assert.equal(formatServerLine({ name: 'b', host: 'localhost', port: 2, favourite: false, ssl: true, user: 'ecuser' }), 'b,localhost,2,0,0,1,ecuser');
  });

  test('what ecflow_ui could not read back is refused', () => {
    const base = { name: 'x', host: 'h', port: 1, favourite: false, ssl: false };
    for (const bad of [{ name: 'a,b' }, { name: ' a' }, { host: 'a b' }, { host: 'a,b' }, { port: 0 }, { port: 70000 }, { user: 'a,b' }, { user: 'a b' }, { user: '' }]) {
      assert.throws(() => checkUiServerEntry({ ...base, ...bad }), /cannot go into ecflow_ui's servers\.txt/, JSON.stringify(bad));
    }
  });

  test('merge: ours first, user-added lines kept, our old lines dropped, comments dropped', () => {
    const previous = `${SERVERS_TXT_HEADER}\nop,localhost,40000,1,0,0,\ngone,localhost,40001,0,0,0,\nmine,vm,3141,0,0,0,\r\n# comment\n\n`;
    const text = mergeServersTxt([{ name: 'op', host: 'localhost', port: 41000, favourite: true, ssl: false }], previous, ['op', 'gone']);
    assert.equal(text, `${SERVERS_TXT_HEADER}\nop,localhost,41000,1,0,0,\nmine,vm,3141,0,0,0,\n`);
  });

  test('property: every line parses back as ecflow_ui 5.9.2 splits it', () => {
    const name = fc.stringMatching(/^[A-Za-z0-9][A-Za-z0-9_.-]{0,20}$/);
    const entry = fc.record({
      name,
      host: fc.stringMatching(/^[a-z0-9.-]{1,30}$/),
      port: fc.integer({ min: 1, max: 65535 }),
      favourite: fc.boolean(),
      ssl: fc.boolean(),
      user: fc.option(fc.stringMatching(/^[a-z_][a-z0-9_]{0,15}$/), { nil: undefined }),
    });
    fc.assert(
      fc.property(fc.uniqueArray(entry, { selector: (e) => e.name, maxLength: 8 }), (entries) => {
        const lines = mergeServersTxt(entries.map(({ user, ...e }) => (user === undefined ? e : { ...e, user })), undefined, []).split('\n');
        assert.equal(lines[0], SERVERS_TXT_HEADER);
        entries.forEach((e, i) => {
          const sv = lines[i + 1]!.split(',');
          assert.equal(sv.length, 7);
          assert.deepEqual([sv[0], sv[1], Number(sv[2]), sv[3] === '1', sv[4], sv[5] === '1', sv[6]], [e.name, e.host, e.port, e.favourite, '0', e.ssl, e.user ?? '']);
          assert.equal(serverLineName(lines[i + 1]!), e.name);
        });
      }),
    );
  });
});

describe('settings JSON (boost property tree)', () => {
  test('dotted paths become nested objects with string values; other settings are kept', () => {
    const before = JSON.stringify({ server: { update: { updateRateInSec: '30' } }, suite_filter: { enabled: 'false' } });
    const { text, replaced } = mergeSettings(before, { 'server.files.logServerHost': '127.0.0.1', 'server.files.logServerPort': '41877' });
    assert.equal(replaced, false);
    assert.deepEqual(JSON.parse(text), {
      server: { update: { updateRateInSec: '30' }, files: { logServerHost: '127.0.0.1', logServerPort: '41877' } },
      suite_filter: { enabled: 'false' },
    });
    assert.equal(settingAt(text, 'server.files.logServerPort'), '41877');
  });

  test('undefined removes a property and the objects it leaves empty', () => {
    const before = mergeSettings(undefined, { 'server.files.logServerHost': 'h', 'server.files.logServerPort': '1', 'server.update.x': '2' }).text;
    const after = mergeSettings(before, { 'server.files.logServerHost': undefined, 'server.files.logServerPort': undefined }).text;
    assert.deepEqual(JSON.parse(after), { server: { update: { x: '2' } } });
  });

  test('a broken file is replaced, and says so', () => {
    const r = mergeSettings('{ not json', { 'network.socks.port': '1080' });
    assert.equal(r.replaced, true);
    assert.deepEqual(JSON.parse(r.text), { network: { socks: { port: '1080' } } });
  });

  test('first session: one tab with the servers, all node states shown', () => {
    const s = JSON.parse(firstSessionJson(['a', 'b'])) as { windowCount: string; window_0: { tab_0: { server: string[]; widget_0: { type: string; states: string[] } } } };
    assert.equal(s.windowCount, '1');
    assert.deepEqual(s.window_0.tab_0.server, ['a', 'b']);
    assert.deepEqual(s.window_0.tab_0.widget_0.states, ['_ALL_']);
  });
});

describe('passwd files', () => {
  test('format 4.5.0 that our own parser (and ecFlow) reads back', () => {
    const text = formatPasswdFile([{ user: 'ecuser', host: 'localhost', port: 41874, password: 's3cret' }], 'test');
    const parsed = parsePasswdFile(text, 'x');
    assert.equal(parsed.version, '4.5.0');
    assert.deepEqual(parsed.entries.map((e) => [e.user, e.host, e.port, e.password]), [['ecuser', 'localhost', 41874, 's3cret']]);
    assert.throws(() => formatPasswdFile([{ user: 'u', host: 'h', port: 1, password: 'a#b' }], 'x'), (e: Error) => !e.message.includes('a#b'));
  });

  test('lookup under the real host and port; the reason never holds the password', async () => {
    const dir = tmp();
    const file = join(dir, 'pw');
    writeFileSync(file, '4.5.0\necuser machine2 4142 lab-secret\n', { mode: 0o644 });
    const warnings: string[] = [];
    const found = await lookupPassword(file, { user: 'ecuser', host: 'machine2', port: 4142 }, (m) => warnings.push(m));
    assert.deepEqual(found, { found: true, password: 'lab-secret', source: file });
    assert.match(warnings[0] ?? '', /readable by group or others .* chmod 600/);
    const missing = await lookupPassword(file, { user: 'ecuser', host: 'machine2', port: 9 }, () => undefined);
    assert.equal(missing.found, false);
    assert.ok(!JSON.stringify(missing).includes('lab-secret'));
    assert.equal((await lookupPassword(join(dir, 'none'), { user: 'u', host: 'h', port: 1 }, () => undefined)).found, false);
  });
});

describe('log-server census', () => {
  const defs = (text: string) => {
    const { defs: d, warnings } = parseDefs(text);
    assert.deepEqual(warnings, []);
    return d;
  };

  test('counts tasks per ECF_LOGHOST:ECF_LOGPORT, most used first; tasks without one counted apart', () => {
    const d = defs(
      'suite s\n  edit ECF_LOGHOST ls2\n  edit ECF_LOGPORT 9316\n  family f\n    task a\n    task b\n    task c\n      edit ECF_LOGHOST ls1\n  endfamily\nendsuite\n' +
        'suite t\n  task u\n  task v\n    edit ECF_LOGHOST %NOPE%\n    edit ECF_LOGPORT 9316\nendsuite\n',
    );
    const census = logServerCensus(d);
    assert.deepEqual(census.used, [
      { host: 'ls2', port: 9316, nodes: 2 },
      { host: 'ls1', port: 9316, nodes: 1 },
    ]);
    assert.equal(census.without, 2);
    assert.match(censusNote('b', census) ?? '', /server b: its tasks use 2 log servers; .* ls2:9316 \(2 tasks\)\. Output of tasks on ls1:9316 \(1\)/);
    assert.equal(censusNote('b', { used: census.used.slice(0, 1), without: 0 }), undefined);
  });
});

describe('proxychains4 configuration and nss_wrapper', () => {
  test('one SOCKS5 proxy, remote DNS, loopback not proxied, quiet', () => {
    const conf = proxychainsConf(41999);
    for (const line of ['strict_chain', 'proxy_dns', 'quiet_mode', 'localnet 127.0.0.0/255.0.0.0', '[ProxyList]', 'socks5 127.0.0.1 41999']) {
      assert.ok(conf.split('\n').includes(line), line);
    }
  });

  test('login names and LD_PRELOAD', () => {
    assert.equal(checkLoginName('ecuser'), undefined);
    assert.match(checkLoginName('a:b') ?? '', /not a usable login name/);
    assert.match(checkLoginName('') ?? '', /not a usable/);
    assert.deepEqual(nssWrapperEnv('/l/libnss_wrapper.so', '/p', '/g', undefined), { LD_PRELOAD: '/l/libnss_wrapper.so', NSS_WRAPPER_PASSWD: '/p', NSS_WRAPPER_GROUP: '/g' });
    assert.equal(nssWrapperEnv('/l.so', '/p', '/g', '/other.so').LD_PRELOAD, '/l.so:/other.so');
  });
});

describe('config directory', () => {
  test('default next to the config file; another file name gets its own directory', () => {
    assert.equal(defaultUiConfigDir('/h/.config/ecflow-remote/config.toml'), '/h/.config/ecflow-remote/ecflow-ui');
    assert.equal(defaultUiConfigDir('/p/lab centre.toml'), '/p/ecflow-ui-lab_centre');
  });

  test('private and locked: a second live run is refused, a dead run\'s lock is taken over', () => {
    const base = tmp();
    const dir = join(base, 'ui');
    mkdirSync(dir, { mode: 0o755 });
    const a = openUiConfigDir(dir);
    assert.equal(statSync(dir).mode & 0o777, 0o700);
    assert.equal(readFileSync(join(dir, LOCK_FILE), 'utf8').trim(), String(process.pid));
    a.release();
    assert.equal(existsSync(join(dir, LOCK_FILE)), false);
    writeFileSync(join(dir, LOCK_FILE), '1\n'); // pid 1 is alive (init): another run
    assert.throws(() => openUiConfigDir(dir), /another 'ecflow-remote ecflow-ui' \(pid 1\) is using .* --confd=DIR/);
    writeFileSync(join(dir, LOCK_FILE), '999999999\n'); // dead
    openUiConfigDir(dir).release();
  });

  test('the per-run folder is 0700; folders of dead runs are swept', () => {
    const rt = tmp();
    mkdirSync(join(rt, 'ui-999999999'));
    writeFileSync(join(rt, 'ui-999999999', 'custom_passwd'), 'x');
    const run = makeRunDir(rt);
    assert.equal(run, join(rt, `ui-${process.pid}`));
    assert.equal(statSync(run).mode & 0o777, 0o700);
    assert.equal(existsSync(join(rt, 'ui-999999999')), false);
  });

  test('the session: last_session.txt when that session exists, else default', () => {
    const dir = tmp();
    assert.equal(currentSessionName(dir), 'default');
    writeFileSync(join(dir, 'last_session.txt'), 'ops\n');
    assert.equal(currentSessionName(dir), 'default');
    mkdirSync(join(dir, 'ops.session'));
    assert.equal(currentSessionName(dir), 'ops');
  });
});
