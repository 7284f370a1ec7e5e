// Tests of the reply side (ecflow-protocol.md §5, §7.2, §8; ecflow-protocol-5.17.md §4): every
// captured reply decodes into a typed reply, spot checks, speed, and fuzzing with mutated replies.
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import fc from 'fast-check';
import { EcflowError, ErrorCode } from '../errors.js';
import { MAX_CEREAL_DEPTH } from './cereal.js';
import { FrameDecoder } from './frame.js';
import { decodeReply, STATS_REQUEST_COUNTERS, type Reply } from './replies.js';
import { loadVectors, rawJson, vectorKind, type TestVector } from './test-vectors.js';
import { utf8Encode } from './utf8.js';

const sets = ['5.9.2', '5.17'] as const;
const all = new Map<string, TestVector>();
for (const set of sets) for (const v of await loadVectors(set)) all.set(`${set}/${v.file}`, v);

function vector(key: string): TestVector {
  const v = all.get(key);
  assert.ok(v, `no vector ${key}`);
  return v;
}

/** Decode a captured reply the way the client does: bytes -> FrameDecoder -> decodeReply. */
function decodeRaw(raw: string): Reply {
  if (raw.startsWith('HTTP/')) return decodeReply(rawJson(raw)!);
  const d = new FrameDecoder();
  const payload = d.push(utf8Encode(raw));
  assert.ok(payload !== undefined, 'incomplete frame');
  d.end();
  return decodeReply(payload);
}

function reply<K extends Reply['reply']>(key: string, kind: K, which: 'response_raw' | 'response_raw_592_live' = 'response_raw'): Extract<Reply, { reply: K }> {
  const r = decodeRaw(vector(key)[which]!);
  assert.equal(r.reply, kind, key);
  return r as Extract<Reply, { reply: K }>;
}

function assertTyped(r: Reply, where: string): void {
  assert.notEqual(r.reply, 'Unknown', `${where}: ${r.reply === 'Unknown' ? r.name : ''}`);
  if (r.reply === 'GroupSTCCmd') r.replies.forEach((c, i) => assertTyped(c, `${where} child ${i}`));
}

function throwsDecode(fn: () => unknown, message?: RegExp): void {
  assert.throws(fn, (e: unknown) => {
    assert.ok(e instanceof EcflowError, `expected EcflowError, got ${String(e)}`);
    assert.equal(e.code, ErrorCode.DECODE);
    if (message) assert.match(e.message, message);
    return true;
  });
}

describe('golden replies', () => {
  test('every captured ecFlow reply decodes into a typed reply of the recorded type', (t) => {
    const counts = new Map<string, number>();
    let mementos = 0;
    for (const [key, v] of all) {
      if (vectorKind(v) === 'logsvr') continue;
      for (const which of ['response_raw', 'response_raw_592_live'] as const) {
        const raw = v[which];
        if (raw === undefined || raw === '') continue;
        const r = decodeRaw(raw);
        assertTyped(r, `${key} ${which}`);
        if (which === 'response_raw' && typeof v.response_type === 'string') assert.equal(r.reply, v.response_type, key);
        if (r.reply === 'SSyncCmd') mementos += r.compounds.reduce((n, c) => n + c.mementos.length, 0);
        counts.set(r.reply, (counts.get(r.reply) ?? 0) + 1);
      }
    }
    const total = [...counts.values()].reduce((a, b) => a + b, 0);
    t.diagnostic(`${total} replies decoded (incl. 5.9.2 control replies of the 5.17 replays), ${mementos} mementos`);
    for (const [k, n] of [...counts].sort()) t.diagnostic(`  ${k}: ${n}`);
    assert.ok(total > 1300, `only ${total} replies`);
    assert.equal(counts.size, 16, 'every reply type of §5 occurs');
  });

  test('ServerVersionCmd: SStringCmd with the version', () => {
    assert.equal(reply('5.9.2/002-version.json', 'SStringCmd').str, '5.9.2');
    assert.equal(reply('5.17/002-server_version.json', 'SStringCmd').str, '5.17.0');
  });

  test('StcCmd OK and DELETE_ALL', () => {
    assert.equal(reply('5.9.2/001-ping.json', 'StcCmd').api, 0);
    assert.equal(reply('5.9.2/231-auth-delete_all.json', 'StcCmd').api, 3);
  });

  test('ErrorCmd texts are verbatim, including leading and trailing spaces', () => {
    assert.equal(reply('5.9.2/115-err_get_bad_path.json', 'ErrorCmd').message, "Cannot find node at path '/nonexistent' ");
    assert.equal(
      reply('5.9.2/raw-missing-class-version-rejected.json', 'ErrorCmd').message,
      ' ->Server:vm@4101 (5.9.2) replied with: Invalid argument',
    );
    assert.equal(
      reply('5.9.2/raw-sync-unknown-handle.json', 'ErrorCmd').message,
      'ClientSuiteMgr::max_change_no: handle(99) does not exist in server. Handle dropped or Server may have died? Please refresh GUI/re-register suites',
    );
    assert.equal(
      reply('5.17/auth-016-auth_rouser_group.json', 'ErrorCmd').message,
      'Command not accepted, due to: Authorisation (user) failed, due to: Insufficient permissions',
    );
  });

  test('DefsCmd, SNodeCmd, SNewsCmd, SSuitesCmd, SServerLoadCmd, SStringVecCmd', () => {
    assert.match(reply('5.9.2/004-get_all.json', 'DefsCmd').defs, /^#5\.9\.2\n/);
    assert.match(reply('5.9.2/006-get_node.json', 'SNodeCmd').node, /^ *(suite|family|task) /m);
    assert.equal(reply('5.9.2/014-news_nochange.json', 'SNewsCmd').news, 0);
    assert.equal(reply('5.9.2/217-s4_news_after_server_restart.json', 'SNewsCmd').news, 2);
    assert.deepEqual(reply('5.9.2/114-suites.json', 'SSuitesCmd').suites.length > 0, true);
    assert.match(reply('5.9.2/111-server_load.json', 'SServerLoadCmd').logFilePath, /\.ecf\.log$/);
    assert.ok(reply('5.9.2/109-edit_history.json', 'SStringVecCmd').vec.every((l) => l.startsWith('MSG:')));
  });

  test('SSyncCmd: full, handle subset and incremental', () => {
    const full = reply('5.9.2/013-sync_full_initial.json', 'SSyncCmd');
    assert.equal(full.fullDefs, true);
    assert.match(full.defs, /^#5\.9\.2\ndefs_state /);
    assert.equal(full.serverDefs, '');
    assert.deepEqual(full.compounds, []);

    const incr = reply('5.9.2/026-sync_label.json', 'SSyncCmd');
    assert.equal(incr.fullDefs, false);
    assert.equal(incr.stateChangeNo, 85);
    assert.equal(incr.modifyChangeNo, 8);
    assert.deepEqual(incr.compounds, [
      {
        path: '/s1/f1/t1',
        clearAttributes: false,
        mementos: [
          { $type: 'NodeLabelMemento', label_: { n_: 'lab1', v_: 'hello', new_v_: 'new label value' } },
          { $type: 'FlagMemento', flag_: { flag_: 256 } },
        ],
      },
      {
        path: '/s1',
        clearAttributes: false,
        mementos: [
          {
            $type: 'SuiteCalendarMemento',
            cal_: { initTime_: { ptime: '2026-Nov-26 07:13:35' }, duration_: { duration: '00:00:17' } },
          },
        ],
      },
    ]);

    const group = reply('5.9.2/220-ui_02_ch_register_autosync.json', 'GroupSTCCmd');
    assert.deepEqual(
      group.replies.map((r) => r.reply),
      ['SClientHandleCmd', 'SSyncCmd'],
    );
    assert.equal((group.replies[0] as { handle: number }).handle, 1);
    const subset = group.replies[1] as Extract<Reply, { reply: 'SSyncCmd' }>;
    assert.equal(subset.fullDefs, false);
    assert.match(subset.serverDefs, /^#5\.9\.2\ndefs_state NET/);
  });

  test('clear_attributes_ compounds and 5.17 mementos are kept as readCereal made them', () => {
    let clears = 0;
    const types = new Set<string>();
    for (const [, v] of all) {
      if (vectorKind(v) !== 'frame' || v.response_type !== 'SSyncCmd') continue;
      const r = decodeRaw(v.response_raw);
      if (r.reply !== 'SSyncCmd') continue;
      for (const c of r.compounds) {
        if (c.clearAttributes) clears++;
        for (const m of c.mementos) types.add(m.$type);
      }
    }
    assert.ok(clears > 10, `only ${clears} clear compounds`);
    for (const t of ['NodeAvisoMemento', 'NodeMirrorMemento', 'ChildrenMemento', 'NodeRepeatIndexMemento', 'SubmittableMemento']) {
      assert.ok(types.has(t), `no ${t}`);
    }
  });

  test('group replies keep only interesting children', () => {
    const g = reply('5.9.2/raw-group-type-index-reuse.json', 'GroupSTCCmd');
    assert.deepEqual(g.replies, [{ reply: 'SSuitesCmd', suites: ['s1', 's2', 'ks'] }]);
    const node = reply('5.9.2/159-group.json', 'GroupSTCCmd');
    assert.equal(node.replies[0]?.reply, 'SNodeCmd');
  });

  test('client handles, zombies, zombie blocking', () => {
    const ch = reply('5.9.2/094-h_ch_suites.json', 'SClientHandleSuitesCmd');
    assert.deepEqual(ch.users, [{ user: 'root', handles: [1] }]);
    assert.deepEqual(ch.handles, [{ handle: 1, suites: ['s1', 's3'] }]);
    assert.deepEqual(reply('5.9.2/110-zombie_get.json', 'ZombieGetCmd').zombies, []);
    assert.deepEqual(reply('5.9.2/178-zombie_get_with_zombie.json', 'ZombieGetCmd').zombies, [
      {
        userAction: 4,
        tryNo: 1,
        duration: 4,
        calls: 0,
        zombieType: 1,
        lastChildCmd: 0,
        pathToTask: '/s2/b',
        jobsPassword: 'badpass',
        processOrRemoteId: '99999',
        userCmd: '',
        host: 'vm',
        attr: { childCmds: [], zombieType: 1, action: 4, zombieLifetime: 3600 },
        userActionSet: false,
      },
    ]);
    assert.equal(reply('5.9.2/137-ecf-task.json', 'BlockClientZombieCmd').zombieType, 0);
    assert.equal(reply('5.9.2/177-zombie_child_init.json', 'BlockClientZombieCmd').zombieType, 1);
  });

  test('SStatsCmd 5.9.2: value0..value81 by name', () => {
    const s = reply('5.9.2/113-stats_server.json', 'SStatsCmd').stats;
    assert.equal(STATS_REQUEST_COUNTERS.length, 65);
    assert.equal(s.status, 2);
    assert.equal(s.host, 'vm');
    assert.equal(s.port, '4101');
    assert.equal(s.upSince, '2026-Nov-26 07:12:28');
    assert.match(s.version, /^Ecflow version\(5\.9\.2\)/);
    assert.equal(s.jobSubInterval, 60);
    assert.equal(s.checkptInterval, 120);
    assert.equal(s.checkptSaveTimeAlarm, 20);
    assert.equal(s.checkptMode, 1);
    assert.equal(s.noOfSuites, 2);
    assert.equal(s.requestStats, '3.00');
    assert.equal(s.ecfHome, '/home/ops/ecf_home');
    assert.equal(s.ecfCheck, '/home/ops/ecf_home/vm.4101.ecf.check');
    assert.equal(s.ecfLog, '/home/ops/ecf_home/vm.4101.ecf.log');
    assert.equal(s.ecfSsl, 'disabled');
    // The same numbers as the text form of the same moment (112-stats.json).
    assert.equal(s.requests.serverVersion, 1);
    assert.equal(s.requests.restartServer, 2);
    assert.equal(s.requests.haltServer, 1);
    assert.equal(s.requests.ping, 1);
    assert.equal(s.requests.getDefs, 3);
    assert.equal(s.requests.sync, 25);
    assert.equal(s.requests.syncFull, 6);
    assert.equal(s.requests.news, 28);
    assert.equal(s.requests.alterCmd, 13);
    assert.equal(s.requests.chCmd, 4);
    assert.equal(s.requests.query, 0);
    assert.equal(s.resources, undefined);
  });

  test('SStatsCmd 5.17: value82 resources', () => {
    const s = reply('5.17/101-stats_server.json', 'SStatsCmd').stats;
    assert.equal(s.port, '5331');
    assert.equal(s.requests.query, 12);
    assert.equal(s.resources?.length, 11);
    assert.deepEqual(s.resources?.[0], { name: 'pid', value: 25228, unit: '' });
    assert.deepEqual(s.resources?.[3], { name: 'resident_memory_used', value: 15932, unit: 'MB' });
  });

  test('an unknown reply type and unknown members are tolerated', () => {
    const payload = JSON.stringify({
      '22ServerToClientResponse': {
        stc_cmd_: {
          polymorphic_id: 2147483649,
          polymorphic_name: 'SFutureCmd',
          ptr_wrapper: { id: 2147483649, data: { cereal_class_version: 3, value0: { cereal_class_version: 0 }, x_: [1] } },
        },
      },
    });
    assert.deepEqual(decodeReply(payload), { reply: 'Unknown', name: 'SFutureCmd', data: { $type: 'SFutureCmd', x_: [1] } });
    const extra = rawJson(vector('5.9.2/001-ping.json').response_raw)!.replace('"api_": 0', '"api_": 0,\n"new_": {"a": 1}');
    assert.deepEqual(decodeReply(extra), { reply: 'StcCmd', api: 0 });
  });
});

describe('decodeReply refusals', () => {
  test('bad JSON is a DECODE error quoting the start of the payload', () => {
    throwsDecode(() => decodeReply(''), /not valid JSON/);
    throwsDecode(() => decodeReply('{"22ServerToClientResponse": {'), /not valid JSON.*starts with "\{\\"22Server/);
  });

  test('wrong shapes are DECODE errors naming the member', () => {
    throwsDecode(() => decodeReply('[]'), /not a JSON object/);
    throwsDecode(() => decodeReply('{"a":{}}'), /stc_cmd_/);
    const ping = rawJson(vector('5.9.2/001-ping.json').response_raw)!;
    throwsDecode(() => decodeReply(ping.replace('"api_": 0', '"api_": "0"')), /StcCmd reply: member api_ should be a number but is a string/);
    const err = rawJson(vector('5.9.2/115-err_get_bad_path.json').response_raw)!;
    throwsDecode(() => decodeReply(err.replace('"error_msg_"', '"error_msg"')), /member error_msg_ should be a string but is missing/);
  });

  test('absurd nesting is refused, not a stack overflow', () => {
    const deep = `{"r":{"stc_cmd_":{"polymorphic_id":2147483649,"polymorphic_name":"X","ptr_wrapper":{"id":1,"data":{"a":${'['.repeat(MAX_CEREAL_DEPTH + 10)}${']'.repeat(MAX_CEREAL_DEPTH + 10)}}}}}}`;
    throwsDecode(() => decodeReply(deep), /nested deeper/);
    const veryDeep = `{"r":{"stc_cmd_":{"polymorphic_id":2147483649,"polymorphic_name":"X","ptr_wrapper":{"id":1,"data":{"a":${'{"b":'.repeat(200000)}1${'}'.repeat(200000)}}}}}}`;
    throwsDecode(() => decodeReply(veryDeep));
  });
});

describe('decodeReply speed', () => {
  test('a 1M-task full SSyncCmd decodes in about the time of JSON.parse', (t) => {
    const lines = ['#5.9.2', 'defs_state NET state>:queued state_change:1 modify_change:1', 'suite big'];
    for (let f = 0; f < 1000; f++) {
      lines.push(`  family f${f}`);
      for (let t = 0; t < 1000; t++) lines.push(`    task t${t} # state:queued`);
      lines.push('  endfamily');
    }
    lines.push('endsuite', '');
    const defs = lines.join('\n');
    const payload = JSON.stringify({
      '22ServerToClientResponse': {
        stc_cmd_: {
          polymorphic_id: 2147483649,
          polymorphic_name: 'SSyncCmd',
          ptr_wrapper: {
            id: 2147483649,
            data: {
              cereal_class_version: 0,
              value0: { cereal_class_version: 0 },
              full_defs_: true,
              incremental_changes_: { cereal_class_version: 0, server_state_change_no_: 0, server_modify_change_no_: 0, compound_mementos_: [] },
              server_defs_: '',
              value1: defs,
            },
          },
        },
      },
    });
    assert.ok(payload.length > 25_000_000, `${payload.length}`);
    let parseMs = Infinity;
    let decodeMs = Infinity;
    for (let i = 0; i < 3; i++) {
      let t0 = performance.now();
      JSON.parse(payload);
      parseMs = Math.min(parseMs, performance.now() - t0);
      t0 = performance.now();
      const r = decodeReply(payload);
      decodeMs = Math.min(decodeMs, performance.now() - t0);
      assert.equal(r.reply === 'SSyncCmd' && r.defs.length, defs.length);
    }
    t.diagnostic(`${(payload.length / 1e6).toFixed(1)} MB: JSON.parse ${parseMs.toFixed(1)} ms, decodeReply ${decodeMs.toFixed(1)} ms`);
    assert.ok(decodeMs < parseMs * 1.5 + 20, `decode ${decodeMs.toFixed(1)} ms vs JSON.parse ${parseMs.toFixed(1)} ms`);
  });

  test('a large incremental sync (100k compounds) stays close to JSON.parse', (t) => {
    const compounds = [];
    for (let i = 0; i < 100_000; i++) {
      compounds.push({
        ptr_wrapper: {
          id: 2147483650 + i,
          data: {
            ...(i === 0 ? { cereal_class_version: 0 } : {}),
            absNodePath_: `/s/f${i % 1000}/t${i}`,
            vec_: [
              i === 0
                ? { polymorphic_id: 2147483649 + 1, polymorphic_name: 'NodeStateMemento', ptr_wrapper: { id: 1, data: { cereal_class_version: 0, value0: { cereal_class_version: 0 }, state_: { first: 5, second: { duration: '00:00:01' } } } } }
                : { polymorphic_id: 1, ptr_wrapper: { id: 1, data: { value0: {}, state_: { first: 5, second: { duration: '00:00:01' } } } } },
            ],
          },
        },
      });
    }
    // type number 1 is SSyncCmd itself; the memento type is 2
    const payload = JSON.stringify({
      r: {
        stc_cmd_: {
          polymorphic_id: 2147483649,
          polymorphic_name: 'SSyncCmd',
          ptr_wrapper: {
            id: 2147483649,
            data: {
              value0: {},
              full_defs_: false,
              incremental_changes_: { server_state_change_no_: 7, server_modify_change_no_: 1, compound_mementos_: compounds },
              server_defs_: '',
              value1: '',
            },
          },
        },
      },
    }).replace(/"polymorphic_id":1,/g, '"polymorphic_id":2,');
    let parseMs = Infinity;
    let decodeMs = Infinity;
    for (let i = 0; i < 3; i++) {
      let t0 = performance.now();
      JSON.parse(payload);
      parseMs = Math.min(parseMs, performance.now() - t0);
      t0 = performance.now();
      const r = decodeReply(payload);
      decodeMs = Math.min(decodeMs, performance.now() - t0);
      assert.ok(r.reply === 'SSyncCmd' && r.compounds.length === 100_000 && r.compounds[5]?.mementos[0]?.$type === 'NodeStateMemento');
    }
    t.diagnostic(`${(payload.length / 1e6).toFixed(1)} MB: JSON.parse ${parseMs.toFixed(1)} ms, decodeReply ${decodeMs.toFixed(1)} ms`);
    assert.ok(decodeMs < parseMs * 4 + 50, `decode ${decodeMs.toFixed(1)} ms vs JSON.parse ${parseMs.toFixed(1)} ms`);
  });
});

describe('decodeReply fuzz', () => {
  const samples = [...all.entries()]
    .filter(([, v]) => vectorKind(v) === 'frame' && v.response_raw !== '' && v.response_raw.length < 20000)
    .map(([, v]) => rawJson(v.response_raw)!);
  // one sample of every reply type, plus some syncs
  const byType = new Map<string, string>();
  for (const s of samples) {
    const name = /"polymorphic_name": "(\w+)"/.exec(s)?.[1] ?? '';
    if (!byType.has(name) || (name === 'SSyncCmd' && s.length > (byType.get(name)?.length ?? 0))) byType.set(name, s);
  }
  const corpus = [...byType.values()];

  function onlyDecodeErrors(payload: string): void {
    try {
      decodeReply(payload);
    } catch (e) {
      assert.ok(e instanceof EcflowError, `non-EcflowError ${String(e)} for ${payload.slice(0, 200)}`);
      assert.equal(e.code, ErrorCode.DECODE);
    }
  }

  type Json = null | boolean | number | string | Json[] | { [k: string]: Json };
  function paths(v: Json, at: (string | number)[] = [], out: (string | number)[][] = []): (string | number)[][] {
    out.push(at);
    if (Array.isArray(v)) v.forEach((x, i) => paths(x, [...at, i], out));
    else if (v !== null && typeof v === 'object') for (const k of Object.keys(v)) paths(v[k]!, [...at, k], out);
    return out;
  }
  function mutate(doc: Json, path: (string | number)[], replacement: Json | undefined): Json {
    if (path.length === 0) return replacement ?? null;
    const [head, ...rest] = path;
    if (Array.isArray(doc)) {
      const copy = [...doc];
      if (replacement === undefined && rest.length === 0) copy.splice(head as number, 1);
      else copy[head as number] = mutate(copy[head as number]!, rest, replacement);
      return copy;
    }
    const copy = { ...(doc as { [k: string]: Json }) };
    if (replacement === undefined && rest.length === 0) delete copy[head as string];
    else copy[head as string] = mutate(copy[head as string]!, rest, replacement);
    return copy;
  }

  test('truncated replies', () => {
    fc.assert(
      fc.property(fc.constantFrom(...corpus), fc.nat(), (s, n) => onlyDecodeErrors(s.slice(0, n % (s.length + 1)))),
      { numRuns: 1000 },
    );
  });

  test('a member replaced by another type, or deleted', () => {
    const replacement = fc.oneof(
      fc.constant(undefined),
      fc.constant(null),
      fc.boolean(),
      fc.integer(),
      fc.constantFrom(0, 1, 2, 2147483649, 2147483650, -1, 1e300),
      fc.string({ maxLength: 5 }),
      fc.constant([]),
      fc.constant({}),
      fc.constant({ ptr_wrapper: {} }),
      fc.constant({ polymorphic_id: 7, ptr_wrapper: { id: 1, data: {} } }),
      fc.jsonValue({ maxDepth: 2 }) as fc.Arbitrary<Json>,
    );
    fc.assert(
      fc.property(fc.constantFrom(...corpus), fc.nat(), replacement, (s, pick, value) => {
        const doc = JSON.parse(s) as Json;
        const all = paths(doc);
        const path = all[pick % all.length]!;
        onlyDecodeErrors(JSON.stringify(mutate(doc, path, value as Json | undefined)));
      }),
      { numRuns: 3000 },
    );
  });

  test('random JSON and random text', () => {
    fc.assert(fc.property(fc.jsonValue(), (v) => onlyDecodeErrors(JSON.stringify(v))), { numRuns: 1000 });
    fc.assert(fc.property(fc.string(), (s) => onlyDecodeErrors(s)), { numRuns: 1000 });
    fc.assert(
      fc.property(fc.jsonValue(), (v) =>
        onlyDecodeErrors(JSON.stringify({ '22ServerToClientResponse': { stc_cmd_: v } })),
      ),
      { numRuns: 1000 },
    );
  });
});
