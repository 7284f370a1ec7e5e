/**
 * Unit tests of the expression parser and evaluator: every expression of the captured vectors,
 * a table of evaluations on a small model, errors with positions, the tolerant parser,
 * references, and fast-check properties (token soup never escapes as anything but
 * ExpressionParseError; grammar texts survive a print/parse round trip).
 */

import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import { isEcflowError } from '../errors.js';
import { parseDefs } from '../protocol/defs-parser.js';
import { loadVectors } from '../protocol/test-vectors.js';
import { exprArbitrary } from './expression-arbitrary.test.js';
import {
  combineExpressionParts,
  dateToJulian,
  evaluate,
  evaluationTreeLines,
  explain,
  expressionAst,
  expressionContextFor,
  expressionDependencies,
  expressionDependents,
  ExpressionParseError,
  expressionReferences,
  expressionText,
  failingDetails,
  julianToDate,
  ModelExpressionContext,
  parseExpression,
  parseExpressionTolerant,
  referencedNodes,
  repeatExprValue,
  valueOf,
  whyExpressionText,
  type ExprAst,
  type ExpressionContext,
} from './expression.js';
import { Repeat } from './repeat.js';

/** Strip offsets so that trees can be compared structurally. */
function shape(ast: ExprAst): unknown {
  return JSON.parse(JSON.stringify(ast, (k, v) => (k === 'start' || k === 'end' ? undefined : v)));
}

const EMPTY_CTX: ExpressionContext = {
  nodePath: '/s/f/t',
  hasNode: () => false,
  nodeState: () => undefined,
  attribute: () => undefined,
  hasFlag: () => false,
};

// ---- vectors ----------------------------------------------------------------------------------

/** Every `trigger`/`complete` line and memento `exp_` text found in the captured exchanges. */
async function vectorExpressions(): Promise<Set<string>> {
  const found = new Set<string>();
  const visitText = (text: string): void => {
    for (const line of text.split('\n')) {
      const m = /^\s*(?:trigger|complete)\s+(?:-[ao]\s+)?(.*?)\s*(?:#.*)?$/.exec(line);
      if (m !== null && m[1] !== '') found.add(m[1]!);
    }
  };
  const visit = (v: unknown, key = ''): void => {
    if (typeof v === 'string') {
      if (key === 'exp_') found.add(v);
      else visitText(v);
    } else if (Array.isArray(v)) v.forEach((x) => visit(x));
    else if (v !== null && typeof v === 'object') for (const [k, x] of Object.entries(v)) visit(x, k);
  };
  for (const set of ['5.9.2', '5.17'] as const) {
    for (const vec of await loadVectors(set)) {
      for (const raw of [vec.request_raw, vec.response_raw]) {
        visitText(raw);
        const brace = raw.indexOf('{');
        if (brace < 0) continue;
        try {
          visit(JSON.parse(raw.slice(brace)));
        } catch {
          /* not JSON (http, log server) */
        }
      }
    }
  }
  return found;
}

describe('expressions of the captured vectors', () => {
  it('all parse, evaluate and print', async () => {
    const exprs = await vectorExpressions();
    assert.ok(exprs.size >= 5, `only ${exprs.size} expressions found`);
    for (const e of exprs) {
      const ast = parseExpression(e);
      evaluate(ast, EMPTY_CTX);
      assert.ok(evaluationTreeLines(ast, EMPTY_CTX).length > 0);
      assert.deepEqual(shape(parseExpression(expressionText(ast))), shape(ast), e);
    }
    assert.ok(exprs.has('t2 == aborted or (/ks/f/t:ev3 and 1 == 1)'));
  });
});

// ---- evaluation on a small model --------------------------------------------------------------

const MODEL = `#5.9.2
defs_state NET state>:active flag:late cal_count:0
suite s # begun:1 state:active
edit SV '12'
limit lim 4 # 3 /s/f/x /s/f/y /s/f/z
calendar initTime:2024-Jan-31 09:15:00 suiteTime:2024-Jan-31 09:15:00 duration:00:00:00 initLocalTime:2024-Jan-31 09:15:00 lastTime:2024-Jan-31 09:15:00 calendarIncrement:00:01:00
family f # state:active
edit FV 'not a number'
repeat date YMD 20240101 20241231 1 # 20240131
task t1 # state:complete
event 1 ev # set
event 2
meter m 0 100 # 40
edit VAR '7'
task t2 # state:queued
trigger t1 == complete
task t3 # state:aborted flag:late
task t4 # try:2 state:active suspended:1
repeat enumerated E "10" "20" "x" # 1
queue q a 5 c # 1 complete queued queued
task t5 # state:queued
repeat string S "a" "b" "c" # 7
task t6 # state:submitted
repeat integer I 0 10 2 # 12
family 12 # state:queued
task x # state:queued
endfamily
endfamily
family g # state:queued
repeat datelist DL "20240301" "20240305" # 1
task u # state:queued
endfamily
endsuite
# enddef
`;

describe('evaluation with ecFlow semantics', () => {
  const { defs } = parseDefs(MODEL);
  const ctx = new ModelExpressionContext(defs, '/s/f/t2');
  const table: Array<[string, boolean | number]> = [
    // node states; a missing node is unknown; suspended wins over the state
    ['t1 == complete', true],
    ['t1 eq complete and t3 == aborted', true],
    ['../f/t3 != aborted', false],
    ['/s/f/t4 == active', false],
    ['t4 == queued', false],
    ['nosuch == unknown', true],
    ['/s/nosuch/t == complete', false],
    ['./t1 == complete', true],
    ['t2 == queued', true],
    ['12/x == queued', true],
    ['./12/x == queued', true],
    ['../g == queued', true],
    ['../../s/g/u == queued', true],
    // events by name and number, set/clear
    ['t1:ev', true],
    ['t1:1 == set', true],
    ['t1:2', false],
    ['t1:2 == clear and t1:ev != clear', true],
    ['t1:nosuch == clear', true],
    // meters, variables (not-a-number → 0), inherited parent variable
    ['t1:m ge 40 and t1:m lt 41', true],
    ['t1:VAR * 2 == 14', true],
    ['../f:FV == 0', true],
    [':FV == 0 and :SV == 12', true],
    [':VAR == 0', true],
    // repeats: date value, enumerated item-or-index, string index clamped, integer clamped, datelist
    ['../f:YMD == 20240131', true],
    [':YMD + 1 == 20240201', true],
    [':YMD - 31 == 20231231', true],
    ['1 + :YMD == 20240132', true],
    ['t4:E == 20', true],
    ['t5:S == 2', true],
    ['t6:I == 10', true],
    ['../g:DL == 20240305', true],
    ['../g:DL_DD == 5 and ../f:YMD_MM == 1', true],
    // generated variables, limits, queues
    ['t4:ECF_TRYNO == 2', true],
    ['/s:YYYY == 2024 and /s:ECF_DATE == 20240131 and /s:TIME == 915 and /s:DOW == 3', true],
    ['/s:lim == 3', true],
    ['t4:q == 5', true],
    // flags: node and server
    ['t3<flag>late and /<flag>late', true],
    ['t1<flag>late', false],
    // arithmetic: left to right, integer division, by zero gives 0
    ['1 + 2 * 3 == 9', true],
    ['7 / 2 == 3 and 7 % 3 == 1', true],
    ['5 / 0 == 0 and 5 % 0 == 0', true],
    ['1 - 2 - 3 == 4 - 8', true],
    // functions
    ['cal::date_to_julian(20240301) - cal::date_to_julian(20240228) == 2', true],
    ['cal::date_to_julian(2024013109) == cal::date_to_julian(20240131)', true],
    ['cal::date_to_julian(123) == 0', true],
    // a value on its own; arithmetic on its own is always true (ecFlow)
    ['0', false],
    ['t1:m - 40', true],
    ['! t1:m - 40', false],
    ['1 == ! 0', true],
    // ecFlow's grouping: (a) and b or c is a and (b or c)
    ['(t2 == complete) and t1 == complete or t3 == aborted', false],
    ['t2 == complete and t1 == complete or t3 == aborted', true],
    // multiple comparisons chain left to right
    ['1 < 2 == 1', true],
  ];
  for (const [text, expected] of table) {
    it(text, () => {
      assert.equal(evaluate(parseExpression(text), ctx), expected);
    });
  }

  it('values of sub-expressions', () => {
    assert.equal(valueOf(parseExpression('t1:m + 2 * 3'), ctx), 126);
    assert.equal(valueOf(parseExpression('t1 == complete'), ctx), 1);
    assert.equal(valueOf(parseExpression('2147483647 + 1'), ctx), -2147483648);
  });

  it('evaluation tree and why text as ecflow_client prints them', () => {
    const ast = parseExpression('t1 == complete and t4:E > 20 or nosuch:x');
    assert.deepEqual(evaluationTreeLines(ast, ctx), [
      '# OR (false)',
      '  # AND (false)',
      '    # EQUAL (true)',
      '      # NODE t1 complete(1)',
      '      # NODE_STATE complete(1)',
      '    # GREATER_THAN (false)',
      '      # t4:E node(t4) REPEAT value(20)',
      '      # INTEGER 20',
      '  # nosuch:x node(?not-found?) nosuch value(0) # check suite filter',
    ]);
    assert.equal(
      whyExpressionText(ast, ctx),
      '((true and (t4:E(type:repeat value:20) > 20)) or nosuch(?):x(type:variable-not-found value:0))',
    );
  });

  it('explain marks the failing parts and says why in plain words', () => {
    const e = explain(parseExpression('t1 == complete and (t2 == complete or t4 == active) and not t3 == aborted'), ctx);
    assert.equal(e.result, false);
    assert.deepEqual(failingDetails(e), [
      '/s/f/t2 is queued, expected complete',
      '/s/f/t4 is suspended, expected active',
      't3 == aborted is true, expected false',
    ]);
    // ecFlow's grouping: AND(t1 == complete, AND((t2 or t4), not t3 == aborted))
    const t1 = e.children[0]!.children[0]!;
    assert.equal(t1.kind, 'node');
    assert.equal(t1.path, '/s/f/t1');
    assert.equal(t1.state, 'complete');
    assert.equal(t1.holding, false);
    const held = explain(parseExpression('t1:m ge 50'), ctx);
    assert.deepEqual(failingDetails(held), ['/s/f/t1:m is 40, expected >= 50']);
    assert.deepEqual(failingDetails(explain(parseExpression('t1:2'), ctx)), ['/s/f/t1:2 is clear, expected set']);
    assert.deepEqual(failingDetails(explain(parseExpression('t1 == complete'), ctx)), []);
  });

  it('the trigger of a model node, with -a/-o parts', () => {
    const t2 = defs.findNode('/s/f/t2')!;
    const ast = expressionAst(t2.trigger!)!;
    assert.equal(evaluate(ast, expressionContextFor(t2)), true);
    const combined = combineExpressionParts([
      { join: 'first', text: 't1 == complete' },
      { join: 'and', text: 't3 == complete' },
      { join: 'or', text: 't1:ev' },
    ])!;
    assert.equal(combined.kind, 'or');
    assert.equal(combined.kind === 'or' && combined.left.kind, 'and');
    assert.equal(evaluate(combined, ctx), true);
  });
});

describe('repeat values (last valid value)', () => {
  it('follows ecFlow per kind', () => {
    assert.equal(repeatExprValue(new Repeat('integer', 'I', 0, 10, 2, 12, undefined, undefined)).value, 10);
    assert.equal(repeatExprValue(new Repeat('integer', 'I', 10, 0, -2, -4, undefined, undefined)).value, 0);
    assert.equal(repeatExprValue(new Repeat('enumerated', 'E', 0, 0, 1, 2, ['10', '20', 'x'], undefined)).value, 2);
    assert.equal(repeatExprValue(new Repeat('enumerated', 'E', 0, 0, 1, 9, ['10', '20', '30'], undefined)).value, 30);
    assert.equal(repeatExprValue(new Repeat('string', 'S', 0, 0, 1, -1, ['a'], undefined)).value, 0);
    assert.equal(repeatExprValue(new Repeat('day', 'D', 0, 0, 3, 0, undefined, undefined)).value, 3);
    assert.equal(repeatExprValue(new Repeat('datelist', 'L', 0, 0, 1, 5, undefined, [20240101, 20240102])).value, 20240102);
  });
  it('julian conversions are inverse', () => {
    fc.assert(
      fc.property(fc.date({ min: new Date('1900-03-01'), max: new Date('2200-12-31'), noInvalidDate: true }), (d) => {
        const ymd = d.getUTCFullYear() * 10000 + (d.getUTCMonth() + 1) * 100 + d.getUTCDate();
        return julianToDate(dateToJulian(ymd)) === ymd;
      }),
    );
    assert.equal(dateToJulian(20000101), 2451545);
  });
});

// ---- errors -----------------------------------------------------------------------------------

describe('parse errors', () => {
  const bad: Array<[string, number]> = [
    ['t1', 2],
    ['!t1', 3],
    ['t1 == t2', 6],
    ['t1 == complete and', 18],
    ['-1 == 0', 0],
    ['not(t1 == complete)', 3],
    ['t1 == COMPLETE', 6],
    ['(t1 == complete', 15],
    ['t1 == complete)', 14],
    ['', 0],
    ['a:m == 99999999999', 7],
    ['t1 == suspended', 6],
  ];
  for (const [text, position] of bad) {
    it(`'${text}' is refused at ${position}`, () => {
      assert.throws(
        () => parseExpression(text),
        (e: unknown) => e instanceof ExpressionParseError && isEcflowError(e) && e.code === 'DEFS_PARSE' && e.position === position,
      );
    });
  }

  it('the tolerant parser keeps the text', () => {
    const ast = parseExpressionTolerant('t1 == ');
    assert.equal(ast.kind, 'unparsed');
    assert.equal(ast.kind === 'unparsed' && ast.text, 't1 == ');
    assert.equal(evaluate(ast, EMPTY_CTX), false);
    assert.match(failingDetails(explain(ast, EMPTY_CTX))[0]!, /cannot parse 't1 == '/);
    const mixed = combineExpressionParts([
      { join: 'first', text: 'ok == complete' },
      { join: 'or', text: '((' },
    ])!;
    assert.equal(mixed.kind === 'or' && mixed.right.kind, 'unparsed');
  });

  it('ecFlow oddities are kept: keywords are plain prefixes', () => {
    assert.equal(parseExpression('a eqcomplete').kind, 'compare');
    assert.equal(parseExpression('a:m==1and a:ev').kind, 'and');
    const ast = parseExpression('a == complete andb == complete');
    assert.equal(ast.kind === 'and' && ast.right.kind === 'compare' && ast.right.left.kind === 'node' && ast.right.left.path, 'b');
    // a node called `not` cannot be used: `not ` is always the operator
    assert.throws(() => parseExpression('not == complete'), ExpressionParseError);
  });
});

// ---- references -------------------------------------------------------------------------------

describe('references', () => {
  it('without a model: likely absolute paths', () => {
    const ast = parseExpression('t1 == complete or ../g/t:ev and /x/y<flag>late or ./a/b:m > 1 or .. /x == complete'.replace(' or .. /x == complete', ''));
    assert.deepEqual(referencedNodes(ast, '/s/f/t2'), ['/s/f/t1', '/s/g/t', '/x/y', '/s/f/a/b']);
  });
  it('with a model: resolved like ecFlow, parent variables included', () => {
    const { defs } = parseDefs(MODEL);
    const ctx = new ModelExpressionContext(defs, '/s/f/t2');
    const refs = expressionReferences(parseExpression('t1 == complete and :YMD > 1 and 12/x == queued and zz == queued'), '/s/f/t2', ctx);
    assert.deepEqual(
      refs.map((r) => [r.path, r.found, r.kind]),
      [
        ['/s/f/t1', true, 'node'],
        ['/s/f', true, 'attribute'],
        ['/s/f/12/x', true, 'node'],
        ['/s/f/zz', false, 'node'],
      ],
    );
  });
  it('triggers of / triggered by, over the model', () => {
    const { defs } = parseDefs(MODEL);
    assert.deepEqual(expressionDependencies(defs, defs.findNode('/s/f/t2')!), [
      { node: '/s/f/t2', expression: 'trigger', target: '/s/f/t1', found: true },
    ]);
    assert.deepEqual(expressionDependents(defs, '/s/f/t1').map((d) => d.node), ['/s/f/t2']);
    assert.deepEqual(expressionDependents(defs, '/s/f', { below: true }).map((d) => d.node), ['/s/f/t2']);
    assert.deepEqual(expressionDependents(defs, '/s/f/t3'), []);
  });

  it('a suite cannot see siblings by name (ecFlow)', () => {
    const { defs } = parseDefs('#5.9.2\ndefs_state NET cal_count:0\nsuite a\nendsuite\nsuite b\ntrigger a == complete\nendsuite\n');
    const ctx = new ModelExpressionContext(defs, '/b');
    assert.equal(explain(parseExpression('a == complete'), ctx).children[0]!.found, false);
    assert.equal(explain(parseExpression('/a == unknown'), ctx).children[0]!.found, true);
  });
});

// ---- properties -------------------------------------------------------------------------------

const TOKENS = [
  'a', 't1', '../f/t2', '/s/f/t', './x', '..', '.', '/', ':', 'ev', 'm', '==', '!=', 'eq', 'ne', '<', '<=', '>', '>=',
  'lt', 'le', 'gt', 'ge', 'and', 'or', 'AND', 'OR', '&&', '||', 'not ', 'not', '!', '~', '(', ')', '+', '-', '*', '/',
  '%', 'complete', 'queued', 'aborted', 'active', 'submitted', 'unknown', 'set', 'clear', '0', '1', '42', '20240101',
  '20240101T120000', '<flag>', 'late', 'zombie', 'cal::date_to_julian', 'cal::julian_to_date', ' ', '  ', '\t', '#', 'é', '"',
];

describe('properties', () => {
  it('token soup: only ExpressionParseError, and the tolerant parser never throws', () => {
    fc.assert(
      fc.property(fc.array(fc.constantFrom(...TOKENS), { maxLength: 40 }), fc.boolean(), (tokens, spaced) => {
        const text = tokens.join(spaced ? ' ' : '');
        try {
          const ast = parseExpression(text);
          evaluate(ast, EMPTY_CTX);
          evaluationTreeLines(ast, EMPTY_CTX);
          explain(ast, EMPTY_CTX);
          assert.deepEqual(shape(parseExpression(expressionText(ast))), shape(ast));
        } catch (e) {
          if (!(e instanceof ExpressionParseError) || e.code !== 'DEFS_PARSE') throw e;
          assert.ok(e.position >= 0 && e.position <= text.length);
        }
        parseExpressionTolerant(text);
      }),
      { numRuns: 3000 },
    );
  });

  it('arbitrary strings never crash the parser', () => {
    fc.assert(
      fc.property(fc.string({ maxLength: 80 }), (text) => {
        const ast = parseExpressionTolerant(text);
        assert.ok(ast.kind !== undefined);
      }),
      { numRuns: 2000 },
    );
  });

  it('deep nesting is refused quickly, not by a stack overflow', () => {
    const started = Date.now();
    for (const depth of [200, 5000, 100000]) {
      const text = '('.repeat(depth) + 'a == complete' + ')'.repeat(depth);
      const ast = parseExpressionTolerant(text);
      if (depth <= 200) assert.equal(ast.kind, 'compare');
      else assert.equal(ast.kind, 'unparsed');
      parseExpressionTolerant('not ('.repeat(depth) + 'a == complete' + ')'.repeat(depth));
      parseExpressionTolerant('- '.repeat(depth) + '1 == 1');
      parseExpressionTolerant('a == complete and '.repeat(depth) + 'b == complete');
    }
    assert.ok(Date.now() - started < 5000, `took ${Date.now() - started} ms`);
  });

  it('grammar texts: print and parse again gives the same tree', () => {
    fc.assert(
      fc.property(exprArbitrary('S'), (text) => {
        const ast = parseExpression(text);
        assert.deepEqual(shape(parseExpression(expressionText(ast))), shape(ast), `${text}\n→ ${expressionText(ast)}`);
      }),
      { numRuns: 1000 },
    );
  });
});
