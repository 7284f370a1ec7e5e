/**
 * Contract test: our expression parser/evaluator against the real ecFlow (Debian 5.9.2).
 *
 * Random expressions are generated from ecFlow's grammar (with random spellings and spacing),
 * loaded as triggers into a real ecflow_server, and `ecflow_client --get_state` prints ecFlow's own
 * `# Trigger Evaluation Tree` for each. Ours must be identical line for line: same tree shape
 * (ecFlow's odd and/or grouping, arithmetic without precedence), same values. A sample is also
 * compared with `ecflow_client --why`.
 *
 * Skipped when ecflow_server is not installed.
 */

import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { after, before, describe, it } from 'node:test';
import fc from 'fast-check';
import { exprArbitrary } from './expression-arbitrary.test.js';
import { startEcflowServer, type EcflowServer, ECFLOW_SERVER_BIN } from '../../test/helpers/ecflow-server.js';
import { freePort } from '../../test/helpers/ports.js';
import type { ExprDState, ExprFlag } from './expression-ast.js';
import type { ExprAttributeValue, ExpressionContext } from './expression-context.js';
import { evaluate } from './expression-eval.js';
import { evaluationTreeLines, expressionText, whyExpressionText } from './expression-text.js';
import { parseExpression } from './expression-parser.js';

const haveServer = existsSync(ECFLOW_SERVER_BIN) || ECFLOW_SERVER_BIN === 'ecflow_server';

/** The tree the expressions refer to; states and values are set after loading. */
const BASE = `  family f
    edit PV '3'
    task a
      event ev
      event 1
      meter m 0 100 0
      edit VAR '5'
      repeat integer R 1 10
    task b
      meter m 0 100 0
    task c
    family g
      task d
        event e
    endfamily
`;

/** Our model of that suite after the changes below (S = suite name). */
function tableContext(suite: string, nodePath: string): ExpressionContext {
  const p = (rel: string): string => `/${suite}${rel}`;
  const states = new Map<string, ExprDState>([
    [p(''), 'aborted'],
    [p('/f'), 'aborted'],
    [p('/f/a'), 'queued'],
    [p('/f/b'), 'complete'],
    [p('/f/c'), 'aborted'],
    [p('/f/g'), 'queued'],
    [p('/f/g/d'), 'suspended'],
  ]);
  const attrs = new Map<string, ExprAttributeValue>([
    [p('/f/a') + ':ev', { type: 'event', value: 1 }],
    [p('/f/a') + ':1', { type: 'event', value: 0 }],
    [p('/f/a') + ':m', { type: 'meter', value: 30 }],
    [p('/f/a') + ':VAR', { type: 'user-variable', value: 5 }],
    [p('/f/a') + ':R', { type: 'repeat', value: 4 }],
    [p('/f/a') + ':ECF_TRYNO', { type: 'gen-variable', value: 0 }],
    [p('/f/b') + ':m', { type: 'meter', value: 7 }],
    [p('/f/g/d') + ':e', { type: 'event', value: 0 }],
    [p('/f') + ':PV', { type: 'user-variable', value: 3 }],
  ]);
  return {
    nodePath,
    hasNode: (path) => states.has(path) || /\/f\/t[0-9]+$/.test(path),
    nodeState: (path) => states.get(path) ?? (/\/f\/t[0-9]+$/.test(path) ? 'queued' : undefined),
    attribute: (path, name) => {
      const a = attrs.get(`${path}:${name}`);
      if (a !== undefined) return a;
      if (name === 'ECF_TRYNO' && /\/f\/t[0-9]+$/.test(path)) return { type: 'gen-variable', value: 0 };
      return undefined;
    },
    hasFlag: (path: string, flag: ExprFlag) => flag === 'late' && path === p('/f/b'),
  };
}

// ---- talking to the server ------------------------------------------------------------------

function indentOf(line: string): number {
  return line.length - line.trimStart().length;
}

/** Evaluation-tree lines per trigger task `tN`, from `--get_state` output. */
function treesFromState(text: string): Map<number, string[]> {
  const out = new Map<number, string[]>();
  const lines = text.split('\n');
  for (let i = 0; i < lines.length; i++) {
    const m = /^\s*task t(\d+)\b/.exec(lines[i]!);
    if (m === null) continue;
    const tree: string[] = [];
    for (let j = i + 1; j < lines.length; j++) {
      const l = lines[j]!;
      if (/# Trigger Evaluation Tree/.test(l)) continue;
      if (!/^\s*# /.test(l) || /^\s*# edit /.test(l)) {
        if (/^\s*(task|family|endfamily|endsuite)\b/.test(l)) break;
        if (tree.length > 0) break;
        continue;
      }
      tree.push(l);
    }
    const base = Math.min(...tree.map(indentOf));
    out.set(Number(m[1]), tree.map((l) => ' '.repeat(indentOf(l) - base) + l.trimStart()));
  }
  return out;
}

describe('expressions agree with ecflow_client 5.9.2', { skip: !haveServer && 'ecflow_server not installed' }, () => {
  let server: EcflowServer;

  before(async () => {
    server = await startEcflowServer({ port: await freePort({ min: 42000, max: 42999 }) });
  });
  after(async () => {
    await server?.stop();
  });

  async function client(args: string[]): Promise<string> {
    const r = await server.ecflowClient(args);
    assert.equal(r.code, 0, `${args.join(' ')}: ${r.stderr}`);
    return r.stdout;
  }

  /**
   * ecFlow's own parser refuses some texts its grammar accepts (it asserts while building the
   * tree, e.g. for `not` inside long `and` chains); those can never come from a server. Keep only
   * what `ecflow_client --load=… check_only` accepts.
   */
  async function acceptedByEcflow(suite: string, exprs: readonly string[]): Promise<{ ok: string[]; refused: string[] }> {
    const ok: string[] = [];
    const refused: string[] = [];
    for (const e of exprs) {
      const defs = `suite ${suite}\n${BASE}    task t\n      trigger ${e}\n  endfamily\nendsuite\n`;
      const file = await server.clientFile(`${suite}-check.def`, defs);
      const r = await server.ecflowClient([`--load=${file}`, 'check_only']);
      (r.code === 0 ? ok : refused).push(e);
    }
    return { ok, refused };
  }

  /** Load a suite with one trigger task per expression, set states/values, return the state text. */
  async function loadBatch(suite: string, exprs: readonly string[]): Promise<string> {
    let defs = `suite ${suite}\n${BASE}`;
    exprs.forEach((e, i) => {
      defs += `    task t${i}\n      trigger ${e}\n`;
    });
    defs += '  endfamily\nendsuite\n';
    const file = await server.clientFile(`${suite}.def`, defs);
    const load = await server.ecflowClient([`--load=${file}`]);
    assert.equal(load.code, 0, `load failed: ${load.stderr}`);
    const s = `/${suite}/f`;
    await client([`--begin=/${suite}`]);
    await client(['--force=complete', `${s}/b`]);
    await client(['--force=aborted', `${s}/c`]);
    await client([`--suspend=${s}/g/d`]);
    await client(['--alter', 'change', 'meter', 'm', '30', `${s}/a`]);
    await client(['--alter', 'change', 'meter', 'm', '7', `${s}/b`]);
    await client(['--alter', 'change', 'event', 'ev', 'set', `${s}/a`]);
    await client(['--alter', 'change', 'repeat', '4', `${s}/a`]);
    await client(['--alter', 'set_flag', 'late', `${s}/b`]);
    return client([`--get_state=/${suite}`]);
  }

  it('fixed examples from the ecFlow documentation and our probes', async () => {
    const exprs = [
      't1 == complete'.replace('t1', 'a'),
      'a == complete and b == complete or c == complete',
      '(a == complete or b == complete) and c == complete or g/d == suspended'.replace(' == suspended', ' == queued'),
      'a == complete and (b == complete) or c == complete',
      '(a == complete) and (b == complete) or (c == complete)',
      'a == complete or (b == complete and c == complete) and g == queued',
      'not a == complete and ! b == complete or ~ c == aborted',
      '! (a == complete or b == complete) and c == aborted',
      '1 + 2 * 3 == 9',
      'a:m + 1 > :PV and g/d:e',
      'a:m % 7 == 2 or a:m / 4 == 7',
      'a:ev == set and a:1 == clear and a:R == 4 and a:VAR eq 5',
      '1 == ! a:m + 1',
      'a:m==30and a:ev',
      'a eqcomplete',
      'cal::date_to_julian(20240229) - cal::date_to_julian(20240101) == 59',
      'cal::julian_to_date(2460311) > 20231231',
      'b<flag>late and not a<flag>late or /<flag>late',
      'g/d == queued or ./g/d != queued',
      `../../S0/f/a == queued`,
      ':ECF_TRYNO == 0 and a:ECF_TRYNO == 0',
      '(a:m) == 30 and (a:ev)',
    ];
    const state = await loadBatch('S0', exprs);
    const trees = treesFromState(state);
    exprs.forEach((e, i) => {
      const ours = evaluationTreeLines(parseExpression(e), tableContext('S0', `/S0/f/t${i}`));
      assert.deepEqual(ours, trees.get(i), `expression ${i}: ${e}`);
    });
  });

  it('random expressions: same tree and values as ecFlow', { timeout: 300_000 }, async () => {
    const batches = 3;
    for (let b = 1; b <= batches; b++) {
      const suite = `R${b}`;
      const { ok: exprs, refused } = await acceptedByEcflow(suite, fc.sample(exprArbitrary(suite), { numRuns: 150, seed: 4200 + b }));
      if (process.env['SHOW_REFUSED']) console.log(refused.join('\n'));
      assert.ok(refused.length < 30, `ecFlow refused ${refused.length} of 150`);
      const state = await loadBatch(suite, exprs);
      const trees = treesFromState(state);
      exprs.forEach((e, i) => {
        const ast = parseExpression(e);
        const ours = evaluationTreeLines(ast, tableContext(suite, `/${suite}/f/t${i}`));
        assert.deepEqual(ours, trees.get(i), `expression t${i}: ${e}`);
        // Our regenerated text must mean the same: it parses to the same tree.
        const again = evaluationTreeLines(parseExpression(expressionText(ast)), tableContext(suite, `/${suite}/f/t${i}`));
        assert.deepEqual(again, ours, `round trip of t${i}: ${e} -> ${expressionText(ast)}`);
      });
    }
  });

  it('why text of false triggers matches ecflow_client --why', { timeout: 300_000 }, async () => {
    const suite = 'W1';
    const { ok: exprs } = await acceptedByEcflow(suite, fc.sample(exprArbitrary(suite), { numRuns: 60, seed: 77 }));
    await loadBatch(suite, exprs);
    let compared = 0;
    for (let i = 0; i < exprs.length; i++) {
      const ctx = tableContext(suite, `/${suite}/f/t${i}`);
      const ast = parseExpression(exprs[i]!);
      const out = await client(['--group=get; why=' + `/${suite}/f/t${i}`]);
      const line = out.split('\n').find((l) => l.startsWith(`TASK /${suite}/f/t${i}(queued) expression `));
      const ours = whyExpressionText(ast, ctx);
      if (line === undefined) {
        // ecFlow reports nothing when the trigger holds.
        assert.equal(evaluate(ast, ctx), true, `t${i}: ${exprs[i]} — ecFlow says it holds`);
        continue;
      }
      assert.equal(line, `TASK /${suite}/f/t${i}(queued) expression ${ours} is false`, `t${i}: ${exprs[i]}`);
      compared++;
    }
    assert.ok(compared > 10, `only ${compared} false triggers compared`);
  });
});
