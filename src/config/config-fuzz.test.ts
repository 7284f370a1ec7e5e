/**
 * Property tests (fast-check): TOML-ish garbage and mutated configs only ever give EcflowError
 * CONFIG (never another exception); random valid configurations survive format → parse; the key
 * locator finds keys at their lines even around multi-line strings, inline tables and arrays.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import fc from 'fast-check';
import { EcflowError } from '../errors.js';
import { formatConfig, parseConfig, type EcflowRemoteConfig, type RouteConfig, type ServerConfig } from './config.js';
import { KeyLocator } from './toml-locate.js';

const FILE = '/x/config.toml';
const HOME = '/home/u';

function onlyConfigErrors(text: string): void {
  try {
    parseConfig(text, FILE, { homedir: HOME });
  } catch (e) {
    if (!(e instanceof EcflowError) || e.code !== 'CONFIG') throw new Error(`not a CONFIG error for ${JSON.stringify(text)}: ${String(e)}`);
    assert.ok(e.message.startsWith(FILE), e.message);
    assert.ok(!e.message.includes('\n'), `one line: ${e.message}`);
  }
}

const TOKENS = [
  '[', ']', '[[', ']]', '.', '=', ' = ', '"', "'", '"""', "'''", '{', '}', ',', '#', '\n', '\r\n', ' ', '\t', '\\', '\\u', '\0',
  'routes', 'servers', 'ui', 'centre', 'op', 'host', 'port', 'route', 'jump', 'destination', 'ssl', 'suites', 'logserver',
  'socks_port', 'favourite', 'read_only', 'password_file', 'login_command', 'remote_user', '__proto__', 'constructor',
  '"machine1"', '"centre"', '"a:1"', '["x"]', '[]', '{}', '4141', '0', '-1', '70000', '1e3', '0x10', '1_000', 'inf', 'nan',
  '99999999999999999999', 'true', 'false', '1979-05-27', '07:32:00', '1979-05-27T07:32:00Z', 'ü', '\u{1F600}', '\ud800',
];

const garbage = fc.array(fc.constantFrom(...TOKENS), { maxLength: 60 }).map((parts) => parts.join(''));

const VALID = `[ui]
port = 8765
[routes.centre]
destination = "ecuser@workstation"
jump = ["ecuser@jump"]
login_command = "tsh login"
[servers.op]
host = "machine1"
port = 4141
route = "centre"
suites = ["s1", "s2"]
logserver = "logserver1:9316"
`;

const mutation = fc.oneof(
  fc.record({ kind: fc.constant('insert' as const), at: fc.nat(), text: fc.constantFrom(...TOKENS) }),
  fc.record({ kind: fc.constant('delete' as const), at: fc.nat(), length: fc.integer({ min: 1, max: 8 }) }),
  fc.record({ kind: fc.constant('char' as const), at: fc.nat(), text: fc.string({ maxLength: 3 }) }),
);

test('fast-check: TOML-ish garbage gives a config or one CONFIG error, nothing else', () => {
  fc.assert(fc.property(garbage, onlyConfigErrors), { numRuns: 3000 });
  fc.assert(fc.property(fc.string({ maxLength: 200 }), onlyConfigErrors), { numRuns: 1000 });
});

test('fast-check: a valid config with random edits gives a config or one CONFIG error', () => {
  fc.assert(
    fc.property(fc.array(mutation, { minLength: 1, maxLength: 5 }), (edits) => {
      let text = VALID;
      for (const m of edits) {
        const at = m.at % (text.length + 1);
        text = m.kind === 'delete' ? text.slice(0, at) + text.slice(at + m.length) : text.slice(0, at) + m.text + text.slice(at);
      }
      onlyConfigErrors(text);
    }),
    { numRuns: 3000 },
  );
});

const name = fc.stringMatching(/^[A-Za-z0-9][A-Za-z0-9_.-]{0,12}$/);
const token = fc.stringMatching(/^[A-Za-z0-9@._:+=~%-][A-Za-z0-9@._:+=~%/-]{0,20}$/).filter((s) => !s.startsWith('-'));
const sshHost = token.filter((s) => !s.includes(','));
const port = fc.integer({ min: 1, max: 65535 });
// normalised absolute paths, as the loader returns them (no '.' or '..' segments)
const absPath = fc
  .array(fc.stringMatching(/^[A-Za-z0-9 ._ü-]{1,8}$/).filter((p) => p !== '.' && p !== '..'), { minLength: 1, maxLength: 4 })
  .map((parts) => `/${parts.join('/')}`);
const text = fc.string({ minLength: 1, maxLength: 30, unit: 'grapheme' }).filter((s) => !/[\p{Cc}]/u.test(s.replace(/\t/g, '')));
const optional = <T>(arb: fc.Arbitrary<T>) => fc.option(arb, { nil: undefined });

function defined<T extends object>(o: T): T {
  return Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined)) as T;
}

const routeArb = (routeName: string): fc.Arbitrary<RouteConfig> =>
  fc
    .record({
      destination: sshHost,
      jump: fc.array(sshHost, { maxLength: 3 }),
      sshConfig: optional(absPath),
      loginCommand: optional(text),
      socksPort: optional(port),
      identityFile: optional(absPath),
      certificateFile: optional(absPath),
    })
    .map((r) => defined({ name: routeName, ...r }) as RouteConfig);

const configArb: fc.Arbitrary<EcflowRemoteConfig> = fc
  .record({
    routeNames: fc.uniqueArray(name, { maxLength: 3 }),
    serverNames: fc.uniqueArray(name, { maxLength: 4 }),
    uiPort: optional(port),
  })
  .chain(({ routeNames, serverNames, uiPort }) =>
    fc.record({
      routes: fc.tuple(...routeNames.map(routeArb)),
      servers: fc.tuple(
        ...serverNames.map((serverName) =>
          fc
            .record({
              host: token,
              port,
              route: routeNames.length === 0 ? fc.constant(undefined) : optional(fc.constantFrom(...routeNames)),
              remoteUser: optional(token),
              customUser: optional(token),
              passwordFile: optional(absPath),
              ssl: fc.boolean(),
              logserver: optional(fc.record({ host: fc.oneof(token.filter((h) => !h.includes(':')), fc.constant('::1')), port })),
              favourite: fc.boolean(),
              readOnly: fc.boolean(),
              suites: optional(fc.array(token.filter((s) => !s.includes('/')), { maxLength: 3 })),
            })
            .map((s) => defined({ name: serverName, ...s }) as ServerConfig),
        ),
      ),
      ui: fc.constant(uiPort === undefined ? {} : { port: uiPort }),
    }),
  )
  .map(({ routes, servers, ui }) => ({
    routes: Object.fromEntries(routes.map((r) => [r.name, r])),
    servers: Object.fromEntries(servers.map((s) => [s.name, s])),
    ui,
  }));

test('fast-check: random valid configurations survive formatConfig → parseConfig', () => {
  fc.assert(
    fc.property(configArb, (config) => {
      const toml = formatConfig(config, { homedir: HOME });
      const back = parseConfig(toml, FILE, { homedir: HOME });
      assert.deepEqual(JSON.parse(JSON.stringify(back)), JSON.parse(JSON.stringify(config)));
    }),
    { numRuns: 500 },
  );
});

test('fast-check: in formatted configs every key is located at its own line', () => {
  fc.assert(
    fc.property(configArb, (config) => {
      const toml = formatConfig(config, { homedir: HOME });
      const lines = toml.split('\n');
      const locator = new KeyLocator(toml);
      for (const [table, entries] of [['routes', config.routes], ['servers', config.servers]] as const) {
        for (const entryName of Object.keys(entries)) {
          const header = locator.exactLine([table, entryName]);
          assert.ok(header !== undefined);
          assert.match(lines[header - 1] ?? '', new RegExp(`^\\[${table}\\.`));
          const firstKey = table === 'routes' ? 'destination' : 'host';
          assert.equal(locator.exactLine([table, entryName, firstKey]), header + 1);
        }
      }
    }),
    { numRuns: 300 },
  );
});

test('KeyLocator: multi-line strings, inline tables, arrays over lines, comments, quoted keys', () => {
  const doc = [
    '# [not.a.table] = 1', //                                  1
    'a = """', //                                               2
    '[fake]', //                                                3
    'x = 1 """', //                                             4
    "b = '''", //                                               5
    "[fake2] '''", //                                           6
    '[servers."q\\"x".inner]  # comment', //                    7
    'k = { host = "m", sub = { port = 1 } }', //               8
    'arr = [', //                                               9
    '  "one",  # first', //                                    10
    '  [2, 3],', //                                            11
    ']', //                                                    12
    "'lit.key'.deeper = 5", //                                 13
    '[[arr_table]]', //                                        14
    'v = 1', //                                                15
    '[[arr_table]]', //                                        16
    'v = 2', //                                                17
  ].join('\n');
  const l = new KeyLocator(doc);
  assert.equal(l.exactLine(['a']), 2);
  assert.equal(l.exactLine(['fake']), undefined);
  assert.equal(l.exactLine(['x']), undefined);
  assert.equal(l.exactLine(['b']), 5);
  assert.equal(l.exactLine(['servers', 'q"x', 'inner']), 7);
  assert.equal(l.exactLine(['servers', 'q"x', 'inner', 'k', 'sub', 'port']), 8);
  assert.equal(l.exactLine(['servers', 'q"x', 'inner', 'arr', 0]), 10);
  assert.equal(l.exactLine(['servers', 'q"x', 'inner', 'arr', 1, 1]), 11);
  assert.equal(l.exactLine(['servers', 'q"x', 'inner', 'lit.key', 'deeper']), 13);
  assert.equal(l.exactLine(['arr_table', 0, 'v']), 15);
  assert.equal(l.exactLine(['arr_table', 1, 'v']), 17);
  assert.equal(l.line(['servers', 'q"x', 'inner', 'nothing', 'here']), 7, 'nearest ancestor');
  assert.equal(l.line(['nowhere']), 1);
});
