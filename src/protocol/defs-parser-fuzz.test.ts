// Property tests of the defs-text parser (house style: fast-check for every parser):
//  - random lines built from ecFlow keywords and junk never make parseDefs/parseNodeText throw;
//    with `strict: true` only EcflowError(DEFS_PARSE) is thrown;
//  - mutated real texts from the vectors: same guarantee;
//  - generated well-formed defs: print(parse(text)) parses again to an equal model.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { parseDefs, parseNodeText } from './defs-parser.js';
import { loadVectors } from './test-vectors.js';
import { EcflowError } from '../errors.js';
import { defsTextsOf } from '../model/vector-exchanges.js';
import { printDefs } from '../model/printer.js';
import { compareDefs } from '../model/compare.js';

const KEYWORDS = [
  'suite', 'family', 'task', 'alias', 'endsuite', 'endfamily', 'endtask', 'endalias', 'edit', 'label', 'meter',
  'event', 'limit', 'inlimit', 'trigger', 'complete', 'repeat', 'defstatus', 'late', 'time', 'today', 'date', 'day',
  'cron', 'autocancel', 'autoarchive', 'autorestore', 'zombie', 'verify', 'queue', 'generic', 'clock', 'endclock',
  'calendar', 'aviso', 'mirror', 'defs_state', 'history', 'extern', '#', '#5.9.2', '# enddef',
];
const TOKENS = [
  '#', 'state:active', 'state:', 'flag:message,late', 'flag:', 'dur:00:00:01', 'dur:xx', 'abort<:', '>abort', 'try:x',
  'passwd:p', 'rid:1', 'begun:1', 'suspended:1', 'rt:1', '"', "'", '""', "''", '-a', '-o', '-n', '-s', '-w', '-d', '-m',
  '0', '-1', '99999999999999999999', '1.2.2024', '*.*.*', '10:00', '+00:10', '25:99', 'L', '1L', 'date', 'integer',
  'enumerated', 'string', 'datelist', 'datetime', 'datetimelist', '20240101T000000', 'monday', 'complete', 'queued',
  'user:fob:init:10', '::', '--name', '--listener', "'{ \"a\": 1 }'", '--ssl', 'initTime:2024-Jan-01', '01:00:00',
  'real', 'hybrid', '\\', ';', 'x', '/s/f/t', 'set', 'clear', 'free', 'isValid:false', 'nextTimeSlot/10:00',
];

const line = fc.tuple(
  fc.constantFrom('', ' ', '  ', '\t'),
  fc.constantFrom(...KEYWORDS),
  fc.array(fc.oneof(fc.constantFrom(...TOKENS), fc.string({ maxLength: 6 })), { maxLength: 8 }),
).map(([indent, kw, rest]) => indent + [kw, ...rest].join(' '));

const text = fc.array(fc.oneof({ weight: 8, arbitrary: line }, { weight: 1, arbitrary: fc.string({ maxLength: 40 }) }), { maxLength: 40 }).map((ls) => ls.join('\n'));

function onlyEcflowErrors(run: () => unknown): void {
  try {
    run();
  } catch (e) {
    assert.ok(e instanceof EcflowError && e.code === 'DEFS_PARSE', `unexpected ${String(e)}`);
  }
}

test('random keyword lines: lenient parsing never throws, strict parsing only throws DEFS_PARSE', () => {
  fc.assert(
    fc.property(text, fc.boolean(), (t, withHeader) => {
      const input = (withHeader ? '#5.9.2\ndefs_state NET cal_count:0\n' : '') + t;
      const r = parseDefs(input);
      assert.ok(Array.isArray(r.warnings));
      parseNodeText(input);
      printDefs(r.defs, 'NET');
      printDefs(r.defs, 'DEFS');
      onlyEcflowErrors(() => parseDefs(input, { strict: true }));
    }),
    { numRuns: 2000 },
  );
});

const vectors = await loadVectors('5.9.2');
const samples = vectors.flatMap((v) => defsTextsOf(v.response_raw).map((t) => t.text)).slice(0, 12);

const mutation = fc.oneof(
  fc.record({ kind: fc.constant('delete' as const), at: fc.nat(), len: fc.integer({ min: 1, max: 40 }) }),
  fc.record({ kind: fc.constant('insert' as const), at: fc.nat(), s: fc.oneof(fc.string({ maxLength: 12 }), fc.constantFrom(...TOKENS, '\n', ' # ', '"', "'")) }),
  fc.record({ kind: fc.constant('dupline' as const), at: fc.nat() }),
  fc.record({ kind: fc.constant('swaplines' as const), at: fc.nat(), to: fc.nat() }),
);

type Mutation = typeof mutation extends fc.Arbitrary<infer T> ? T : never;

function mutate(s: string, ms: Mutation[]): string {
  for (const m of ms) {
    if (m.kind === 'delete') {
      const at = m.at % (s.length + 1);
      s = s.slice(0, at) + s.slice(at + m.len);
    } else if (m.kind === 'insert') {
      const at = m.at % (s.length + 1);
      s = s.slice(0, at) + m.s + s.slice(at);
    } else {
      const lines = s.split('\n');
      const a = m.at % lines.length;
      if (m.kind === 'dupline') lines.splice(a, 0, lines[a]!);
      else {
        const b = m.to % lines.length;
        [lines[a], lines[b]] = [lines[b]!, lines[a]!];
      }
      s = lines.join('\n');
    }
  }
  return s;
}

test('mutated real defs texts: only warnings (lenient) or EcflowError (strict)', () => {
  assert.ok(samples.length > 5);
  fc.assert(
    fc.property(fc.constantFrom(...samples), fc.array(mutation, { minLength: 1, maxLength: 6 }), (sample, ms) => {
      const input = mutate(sample, ms);
      const r = parseDefs(input);
      printDefs(r.defs, 'NET');
      parseNodeText(input);
      onlyEcflowErrors(() => parseDefs(input, { strict: true }));
    }),
    { numRuns: 1500 },
  );
});

// Well-formed definitions built from the vocabulary of §10.3: print → parse gives an equal model.
const name = fc.stringMatching(/^[a-z][a-z0-9_]{0,6}$/);
const attrLine = fc.oneof(
  fc.tuple(name, fc.stringMatching(/^[ -~]{0,12}$/).filter((v) => !v.includes("'"))).map(([n, v]) => `edit ${n.toUpperCase()} '${v}'`),
  fc.tuple(name, fc.stringMatching(/^[a-z #]{0,10}$/), fc.stringMatching(/^[a-z #]{0,10}$/)).map(([n, v, c]) => `label ${n} "${v}"` + (c.trim() !== '' ? ` # "${c}"` : '')),
  fc.tuple(name, fc.integer({ min: -5, max: 5 }), fc.integer({ min: 6, max: 100 })).map(([n, a, b]) => `meter ${n} ${a} ${b} ${b}`),
  fc.tuple(fc.integer({ min: 0, max: 9 }), name, fc.boolean()).map(([i, n, set]) => `event ${i} ${n}${set ? ' set' : ''}`),
  fc.tuple(fc.integer({ min: 0, max: 23 }), fc.integer({ min: 0, max: 59 }), fc.boolean()).map(([h, m, free]) => `time ${String(h).padStart(2, '0')}:${String(m).padStart(2, '0')}${free ? ' # free' : ''}`),
  fc.constantFrom('day monday # date:2024-Jan-01', 'date 1.*.*', 'cron -w 0,2 10:00 20:00 01:00', 'late -s +00:15 -c +02:00', 'zombie user:fob:init:3600', 'queue q a b # 0 queued queued', 'generic g v1 v2', 'verify complete:1 # 0'),
  fc.constantFrom('repeat integer I 0 10 2 # 4', 'repeat enumerated E "a" "b" # 1', 'repeat datetime DT 20240101T000000 20240102T000000 06:00:00', 'repeat day 1', 'trigger a == complete # free'),
);
/** At most one repeat / trigger / late per node (a second one is a warning). */
const single = (lines: string[]): string[] => {
  const seen = new Set<string>();
  return lines.filter((l) => {
    const kw = l.split(' ')[0]!;
    if (kw !== 'repeat' && kw !== 'trigger' && kw !== 'late') return true;
    if (seen.has(kw)) return false;
    seen.add(kw);
    return true;
  });
};
const attrs = (max: number): fc.Arbitrary<string[]> => fc.array(attrLine, { maxLength: max }).map(single);
const task = fc.tuple(name, fc.constantFrom('', ' # state:queued', ' # try:1 state:active flag:message', ' # state:complete dur:00:01:05'), attrs(4));
const family = fc.tuple(name, fc.array(task, { minLength: 1, maxLength: 4 }), attrs(2));
const defsText = fc.array(family, { minLength: 1, maxLength: 3 }).map((fams) => {
  const out = ['#5.9.2', 'defs_state NET state>:queued state_change:4 cal_count:0', 'suite s # begun:1 state:queued'];
  fams.forEach(([f, tasks, fattrs], i) => {
    out.push(`family ${f}${i}`, ...fattrs);
    tasks.forEach(([t, st, attrs], j) => out.push(`task ${t}${j}${st}`, ...attrs));
    out.push('endfamily');
  });
  out.push('endsuite', '# enddef', '');
  return out.join('\n');
});

test('generated well-formed defs: print then parse gives an equal model (idempotent round trip)', () => {
  fc.assert(
    fc.property(defsText, (t) => {
      const a = parseDefs(t);
      assert.deepEqual(a.warnings, []);
      const printed = printDefs(a.defs, 'NET');
      const b = parseDefs(printed);
      assert.deepEqual(b.warnings, []);
      assert.deepEqual(compareDefs(a.defs, b.defs), []);
      assert.equal(printDefs(b.defs, 'NET'), printed);
    }),
    { numRuns: 500 },
  );
});
