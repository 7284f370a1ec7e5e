// Tests of the request side (ecflow-protocol.md §2.3-2.4, §3, §4): golden requests of both vector
// sets re-encoded from our typed API, validation, describeCommand and a round-trip property.
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import fc from 'fast-check';
import { EcflowError, ErrorCode } from '../errors.js';
import { readCereal } from './cereal.js';
import {
  COMMAND_LAYOUTS,
  ClientHandleApi,
  CtsApi,
  PathsApi,
  SyncApi,
  describeCommand,
  encodeRequest,
  encodeRequestFrame,
  isTaskCommandName,
  validateCommand,
  type Command,
  type CommandName,
  type FieldLayout,
  type RequestIdentity,
  type TaskIdentity,
  type UserCommand,
} from './commands.js';
import { SAMPLE_COMMANDS, arbitraryCommand } from './commands-samples.test.js';
import { encodeFrame } from './frame.js';
import { loadVectors, rawJson, vectorKind, type TestVector } from './test-vectors.js';

type Obj = Record<string, unknown>;
type Identity = RequestIdentity | TaskIdentity;

function throwsInvalid(fn: () => unknown, message?: RegExp): void {
  assert.throws(fn, (e: unknown) => {
    assert.ok(e instanceof EcflowError, `expected EcflowError, got ${String(e)}`);
    assert.equal(e.code, ErrorCode.INVALID_ARGUMENT);
    if (message) assert.match(e.message, message);
    return true;
  });
}

/**
 * Test-only inverse of the encoder: the readCereal output of a request's `cmd_` -> our typed
 * command plus the identity found in its base part. Every member must be known.
 */
export function commandFromDecodedRequest(decoded: unknown): { command: Command; identity: Identity } {
  const o = decoded as Obj;
  const name = o['$type'] as CommandName;
  const layout = COMMAND_LAYOUTS[name] as readonly FieldLayout[] | undefined;
  assert.ok(layout, `unknown command ${String(name)}`);
  const identity: Identity = isTaskCommandName(name)
    ? {
        host: o['cl_host_'] as string,
        path: o['path_to_submittable_'] as string,
        jobsPassword: o['jobs_password_'] as string,
        processId: o['process_or_remote_id_'] as string,
        tryNo: o['try_no_'] as number,
      }
    : {
        host: o['cl_host_'] as string,
        user: o['user_'] as string,
        ...(o['pswd_'] === undefined ? {} : { passwordHash: o['pswd_'] as string }),
        ...(o['cu_'] === undefined ? {} : { customUser: o['cu_'] as boolean }),
      };
  const base = isTaskCommandName(name)
    ? ['$type', 'cl_host_', 'path_to_submittable_', 'jobs_password_', 'process_or_remote_id_', 'try_no_']
    : ['$type', 'cl_host_', 'user_', 'pswd_', 'cu_'];
  const known = new Set([...base, ...layout.map((f) => f.wire)]);
  for (const key of Object.keys(o)) assert.ok(known.has(key), `${name}: unexpected member ${key}`);
  const command: Obj = { cmd: name };
  for (const f of layout) {
    const v = o[f.wire];
    if (v === undefined) continue;
    switch (f.type.kind) {
      case 'pairs':
        command[f.field] = (v as { first: string; second: string }[]).map((p) => ({ name: p.first, value: p.second }));
        break;
      case 'variables':
        command[f.field] = (v as { n_: string; v_: string }[]).map((p) => ({ name: p.n_, value: p.v_ }));
        break;
      case 'children':
        command[f.field] = (v as unknown[]).map((child) => {
          const c = commandFromDecodedRequest(child);
          assert.deepEqual(c.identity, identity, 'group children carry the group identity');
          return c.command;
        });
        break;
      default:
        command[f.field] = v;
    }
  }
  return { command: command as unknown as Command, identity };
}

/** Asserts two JSON trees are identical, member order included. */
function assertSameJson(ours: unknown, theirs: unknown, where: string): void {
  assert.deepStrictEqual(ours, theirs, where);
  assert.equal(JSON.stringify(ours), JSON.stringify(theirs), `${where}: member order differs`);
}

/** Requests that were deliberately malformed and rejected by the server (§17 raw-* probes). */
const REJECTED_PROBES = new Set([
  'raw-group-redundant-class-version-rejected.json',
  'raw-missing-class-version-rejected.json',
  'raw-reordered-fields-rejected.json',
  'raw-polymorphic-id-without-high-bit-rejected.json',
  'raw-ptr-id-without-high-bit-rejected.json',
  'raw-unknown-polymorphic-name-rejected.json',
]);

interface Comparison {
  identical: Map<string, number>;
  rejectedDiffer: string[];
  normalised: string[];
  unsafe: string[];
}

function compareVector(v: TestVector, set: string, stats: Comparison): void {
  const base = v.file.slice(v.file.lastIndexOf('/') + 1);
  const json = rawJson(v.request_raw);
  assert.ok(json !== undefined, `${v.file}: no request`);
  const theirs = JSON.parse(json) as Obj;
  let decoded: unknown;
  try {
    decoded = readCereal((Object.values(theirs)[0] as Obj)['cmd_']);
  } catch (e) {
    assert.ok(REJECTED_PROBES.has(base), `${set}/${v.file}: cannot decode: ${String(e)}`);
    stats.rejectedDiffer.push(`${set}/${v.file} (not even decodable)`);
    return;
  }
  if (base === 'raw-unknown-polymorphic-name-rejected.json') {
    assert.equal((decoded as Obj)['$type'], 'FooCmd');
    stats.rejectedDiffer.push(`${set}/${v.file} (FooCmd)`);
    return;
  }
  let expected: unknown = theirs;
  if (base === 'raw-extra-field-ignored.json') {
    // The probe adds an unknown member "zzz"; everything else must match.
    const data = ((theirs['21ClientToServerRequest'] as Obj)['cmd_'] as Obj)['ptr_wrapper'] as Obj;
    assert.ok('zzz' in (data['data'] as Obj));
    delete (data['data'] as Obj)['zzz'];
    delete (decoded as Obj)['zzz'];
    stats.normalised.push(`${set}/${v.file}`);
  }
  if (base === 'raw-root-key-name-ignored.json') {
    // The probe renames the root key; we always write the canonical one.
    expected = { '21ClientToServerRequest': Object.values(theirs)[0] };
    stats.normalised.push(`${set}/${v.file}`);
  }
  const { command, identity } = commandFromDecodedRequest(decoded);
  const ours = JSON.parse(encodeRequest(command, identity, { skipValidation: true })) as unknown;
  if (REJECTED_PROBES.has(base)) {
    assert.notEqual(JSON.stringify(ours), JSON.stringify(expected), `${set}/${v.file}: we produce the rejected form`);
    stats.rejectedDiffer.push(`${set}/${v.file}`);
    return;
  }
  assertSameJson(ours, expected, `${set}/${v.file}`);
  try {
    validateCommand(command);
  } catch {
    stats.unsafe.push(`${set}/${v.file}: ${describeCommand(command)}`);
  }
  const key = command.cmd === 'GroupCTSCmd' ? `GroupCTSCmd[${command.children.map((c) => c.cmd).join(',')}]` : command.cmd;
  stats.identical.set(key, (stats.identical.get(key) ?? 0) + 1);
}

describe('golden requests', () => {
  test('every captured request is re-encoded identically from the typed API', async (t) => {
    const stats: Comparison = { identical: new Map(), rejectedDiffer: [], normalised: [], unsafe: [] };
    let logsvr = 0;
    for (const set of ['5.9.2', '5.17'] as const) {
      for (const v of await loadVectors(set)) {
        if (vectorKind(v) === 'logsvr') {
          logsvr++;
          continue;
        }
        compareVector(v, set, stats);
      }
    }
    const total = [...stats.identical.values()].reduce((a, b) => a + b, 0);
    t.diagnostic(`${total} requests structurally identical (${logsvr} log-server vectors are not ecFlow requests)`);
    for (const [k, n] of [...stats.identical].sort()) t.diagnostic(`  ${k}: ${n}`);
    t.diagnostic(`${stats.normalised.length} probes compared after normalising: ${stats.normalised.join(', ')}`);
    t.diagnostic(`${stats.rejectedDiffer.length} rejected probes differ from our output, as they must`);
    t.diagnostic(`${stats.unsafe.length} captured requests are refused by validateCommand: ${stats.unsafe.join('; ')}`);
    assert.ok(total > 1000, `only ${total} compared`);
    // Every command type of §4 that occurs in the vectors is covered.
    const covered = new Set([...stats.identical.keys()].flatMap((k) => k.replace(/[[\],]/g, ' ').split(' ')).filter(Boolean));
    for (const name of Object.keys(COMMAND_LAYOUTS)) assert.ok(covered.has(name), `no vector for ${name}`);
    assert.equal(stats.rejectedDiffer.length, 12);
  });

  test('the crash probes are refused by validateCommand', async () => {
    let n = 0;
    for (const set of ['5.9.2', '5.17'] as const) {
      for (const v of await loadVectors(set)) {
        if (vectorKind(v) !== 'crash' && !v.file.includes('err_sync_full_invalid_handle')) continue;
        const json = JSON.parse(rawJson(v.request_raw)!) as Obj;
        const { command, identity } = commandFromDecodedRequest(readCereal((Object.values(json)[0] as Obj)['cmd_']));
        throwsInvalid(() => validateCommand(command), /crash|SYNC_FULL/);
        throwsInvalid(() => encodeRequest(command, identity));
        n++;
      }
    }
    assert.ok(n >= 3, `only ${n} crash probes`);
  });
});

describe('encodeRequest', () => {
  const id: RequestIdentity = { host: 'vm', user: 'root' };

  test('the compact ping of §6, byte for byte', () => {
    assert.equal(
      encodeRequest({ cmd: 'CtsCmd', api: CtsApi.PING }, { host: 'x', user: 'root' }),
      '{"21ClientToServerRequest":{"cmd_":{"polymorphic_id":2147483649,"polymorphic_name":"CtsCmd","ptr_wrapper":{"id":2147483649,"data":{"cereal_class_version":0,"value0":{"cereal_class_version":0,"value0":{"cereal_class_version":0,"cl_host_":"x"},"user_":"root"},"api_":8}}}}}',
    );
  });

  test('pswd_ only when non-empty, cu_ only when true, pswd_ before cu_', () => {
    const user = (identity: RequestIdentity): string => {
      const data = (JSON.parse(encodeRequest({ cmd: 'ServerVersionCmd' }, identity)) as { [k: string]: any })[
        '21ClientToServerRequest'
      ].cmd_.ptr_wrapper.data.value0;
      return Object.keys(data).join(',');
    };
    assert.equal(user({ host: 'h', user: 'u' }), 'cereal_class_version,value0,user_');
    assert.equal(user({ host: 'h', user: 'u', passwordHash: '', customUser: false }), 'cereal_class_version,value0,user_');
    assert.equal(user({ host: 'h', user: 'u', customUser: true, passwordHash: 'ab' }), 'cereal_class_version,value0,user_,pswd_,cu_');
    assert.equal(user({ host: 'h', user: 'u', customUser: true }), 'cereal_class_version,value0,user_,cu_');
  });

  test('the identity is checked', () => {
    throwsInvalid(() => encodeRequest({ cmd: 'ServerVersionCmd' }, { host: '', user: 'u' }), /host/);
    throwsInvalid(() => encodeRequest({ cmd: 'ServerVersionCmd' }, { host: 'h', user: '' }), /user/);
    throwsInvalid(() => encodeRequest({ cmd: 'InitCmd' }, { host: 'h', path: '/t', jobsPassword: 'p', processId: '1', tryNo: -1 }));
    throwsInvalid(() => encodeRequest({ cmd: 'InitCmd' }, id as unknown as TaskIdentity));
  });

  test('encodeRequestFrame is the framed payload', () => {
    const cmd: UserCommand = { cmd: 'PathsCmd', api: PathsApi.SUSPEND, paths: ['/s1'] };
    assert.deepEqual(encodeRequestFrame(cmd, id), encodeFrame(encodeRequest(cmd, id)));
  });

  test('a group registers and fully syncs in one round trip (§9.1)', () => {
    const group: UserCommand = {
      cmd: 'GroupCTSCmd',
      children: [
        { cmd: 'ClientHandleCmd', api: ClientHandleApi.REGISTER, suites: ['s1'], autoAddNewSuites: true },
        { cmd: 'CSyncCmd', api: SyncApi.SYNC_FULL },
      ],
    };
    const doc = JSON.parse(encodeRequest(group, id)) as { [k: string]: any };
    const children = doc['21ClientToServerRequest'].cmd_.ptr_wrapper.data.cmdVec_;
    assert.deepEqual(Object.keys(children[0].ptr_wrapper.data.value0), ['value0', 'user_']);
    assert.equal(children[1].polymorphic_name, 'CSyncCmd');
    assert.equal(children[1].ptr_wrapper.id, 2147483651);
  });

  test('property: every valid command survives encode -> readCereal -> decode', () => {
    fc.assert(
      fc.property(arbitraryCommand(), (command) => {
        const identity: Identity = isTaskCommandName(command.cmd)
          ? { host: 'h', path: '/s/t', jobsPassword: 'pw', processId: '7', tryNo: 2 }
          : { host: 'h', user: 'u', passwordHash: 'xx', customUser: true };
        validateCommand(command);
        const json = JSON.parse(encodeRequest(command, identity)) as Obj;
        const back = commandFromDecodedRequest(readCereal((json['21ClientToServerRequest'] as Obj)['cmd_']));
        assert.deepEqual(back.identity, identity);
        assert.deepEqual(back.command, withDefaults(command));
        assert.notEqual(describeCommand(command), '');
      }),
      { numRuns: 1000 },
    );
  });
});

/** The command with every defaulted field filled in, as the decoder sees it (omitted optional members stay out). */
function withDefaults(command: Command): Command {
  const out: Obj = { cmd: command.cmd };
  const fields = command as unknown as Obj;
  for (const f of COMMAND_LAYOUTS[command.cmd] as readonly FieldLayout[]) {
    const v = fields[f.field] ?? f.default;
    if (f.omitWhen?.(v) === true) continue;
    out[f.field] = f.type.kind === 'children' ? (v as Command[]).map(withDefaults) : v;
  }
  return out as unknown as Command;
}

describe('validateCommand', () => {
  test('all samples are valid', () => {
    for (const cmd of Object.values(SAMPLE_COMMANDS)) validateCommand(cmd);
  });

  test('CtsCmd api must be 1..18', () => {
    for (const api of [0, 19, 99, -1, 1.5, Number.NaN]) {
      throwsInvalid(() => validateCommand({ cmd: 'CtsCmd', api: api as CtsApi }));
    }
    throwsInvalid(() => validateCommand({ cmd: 'CtsCmd', api: '8' as unknown as CtsApi }));
    throwsInvalid(() => validateCommand({ cmd: 'CtsCmd', api: CtsApi.NO_CMD }), /NO_CMD \(0\) must never be sent/);
    for (let api = 1; api <= 18; api++) validateCommand({ cmd: 'CtsCmd', api: api as CtsApi });
  });

  test('every enum field refuses out-of-range values; every required field is required', () => {
    for (const [name, layout] of Object.entries(COMMAND_LAYOUTS) as [CommandName, readonly FieldLayout[]][]) {
      const sample = SAMPLE_COMMANDS[name] as unknown as Obj;
      for (const f of layout) {
        const broken = (value: unknown): Command => ({ ...sample, [f.field]: value }) as unknown as Command;
        if (f.type.kind === 'enum') {
          const max = Math.max(...Object.values(f.type.values));
          throwsInvalid(() => validateCommand(broken(max + 1)), new RegExp(`${name}\\.${f.field}`));
          throwsInvalid(() => validateCommand(broken(-1)));
        }
        if (f.type.kind === 'oneOf') throwsInvalid(() => validateCommand(broken('bogus')));
        if (f.type.kind === 'boolean') throwsInvalid(() => validateCommand(broken('true')));
        if (f.type.kind === 'string') throwsInvalid(() => validateCommand(broken(1)));
        if (f.type.kind === 'strings') throwsInvalid(() => validateCommand(broken(['a', 2])));
        if (f.type.kind === 'count' || f.type.kind === 'uint') throwsInvalid(() => validateCommand(broken(-1)));
        if (f.type.kind === 'int') throwsInvalid(() => validateCommand(broken(2 ** 31)));
        if (f.default === undefined) {
          const { [f.field]: _removed, ...rest } = sample;
          throwsInvalid(() => validateCommand(rest as unknown as Command), /is required/);
        }
      }
    }
  });

  test('unknown commands and non-objects are refused', () => {
    throwsInvalid(() => validateCommand({ cmd: 'FooCmd' } as unknown as Command), /unknown command "FooCmd"/);
    throwsInvalid(() => validateCommand(null as unknown as Command));
  });

  test('SYNC_FULL must carry client handle 0, also inside a group', () => {
    throwsInvalid(() => validateCommand({ cmd: 'CSyncCmd', api: SyncApi.SYNC_FULL, clientHandle: 3 }), /kills the server/);
    validateCommand({ cmd: 'CSyncCmd', api: SyncApi.SYNC_FULL });
    validateCommand({ cmd: 'CSyncCmd', api: SyncApi.SYNC, clientHandle: 3, stateChangeNo: 10, modifyChangeNo: 2 });
    throwsInvalid(() =>
      validateCommand({
        cmd: 'GroupCTSCmd',
        children: [{ cmd: 'ClientHandleCmd', api: ClientHandleApi.REGISTER }, { cmd: 'CSyncCmd', api: SyncApi.SYNC_FULL, clientHandle: 1 }],
      }),
    );
  });

  test('groups need children, no nesting, no task commands', () => {
    throwsInvalid(() => validateCommand({ cmd: 'GroupCTSCmd', children: [] }), /at least one/);
    throwsInvalid(
      () => validateCommand({ cmd: 'GroupCTSCmd', children: [{ cmd: 'GroupCTSCmd', children: [{ cmd: 'ShowCmd' }] }] }),
      /cannot contain another/,
    );
    throwsInvalid(
      () => validateCommand({ cmd: 'GroupCTSCmd', children: [{ cmd: 'InitCmd' } as unknown as UserCommand] }),
      /cannot be grouped/,
    );
  });
});

describe('describeCommand', () => {
  test('CLI-like forms', () => {
    const cases: [Command, string][] = [
      [{ cmd: 'PathsCmd', api: PathsApi.SUSPEND, paths: ['/s1'] }, '--suspend /s1'],
      [{ cmd: 'CtsCmd', api: CtsApi.PING }, '--ping'],
      [{ cmd: 'ServerVersionCmd' }, '--server_version'],
      [{ cmd: 'CSyncCmd', api: SyncApi.NEWS, clientHandle: 1, stateChangeNo: 5, modifyChangeNo: 2 }, '--news=1 5 2'],
      [{ cmd: 'DeleteCmd', paths: [] }, '--delete=_all_'],
      [{ cmd: 'AlterCmd', paths: ['/s1/t'], changeAttrType: 5, name: 'm', value: '3' }, '--alter change meter m 3 /s1/t'],
      [{ cmd: 'AlterCmd', paths: ['/s'], flagType: 8, flag: true }, '--alter set_flag message /s'],
      [{ cmd: 'EventCmd', name: 'e', value: false }, '--event=e clear'],
      [{ cmd: 'CFileCmd', file: 2, pathToNode: '/s/t' }, '--file=/s/t jobout'],
      [
        { cmd: 'GroupCTSCmd', children: [{ cmd: 'CtsCmd', api: CtsApi.SUITES }, { cmd: 'CtsCmd', api: CtsApi.PING }] },
        '--group="suites; ping"',
      ],
    ];
    for (const [cmd, text] of cases) assert.equal(describeCommand(cmd), text);
  });

  test('long texts are shortened and one line', () => {
    const d = describeCommand({ cmd: 'LabelCmd', name: 'l', label: `${'x'.repeat(200)}\nmore` });
    assert.ok(d.length < 70, d);
    assert.ok(!d.includes('\n'));
    assert.match(describeCommand({ cmd: 'LoadDefsCmd', defs: 'suite s\nendsuite\n' }), /--load=\(17 characters of defs\)/);
  });

  test('every sample has a description', () => {
    for (const cmd of Object.values(SAMPLE_COMMANDS)) assert.match(describeCommand(cmd), /^--|^unknown/);
  });
});
