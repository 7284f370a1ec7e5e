/**
 * Test helper (no tests of its own): a fast-check generator of trigger/complete expression texts
 * following ecFlow's grammar, with random spellings (`eq`/`==`, `and`/`&&`/`AND`, `!`/`~`/`not`)
 * and spacing. It names the nodes and attributes of the suite built by expression-server.test.ts
 * (`a`, `b`, `c`, `g`, `g/d`; `a:ev`, `a:m`, `a:VAR`, `a:R`, `:PV` …).
 *
 * Named *.test.ts so that it stays out of the pure build and the package.
 */

import fc from 'fast-check';

const pick = <T>(xs: readonly T[]): fc.Arbitrary<T> => fc.constantFrom(...xs);
const sp = fc.constantFrom(' ', ' ', ' ', '  ');
const opt = fc.constantFrom(' ', '', ' ');

/** Expression texts for a suite called `suite` (its nodes live in family `f`). */
export function exprArbitrary(suite: string): fc.Arbitrary<string> {
  const nodes = ['a', 'b', 'c', './a', '../f/b', `/${suite}/f/c`, 'g/d', './g/d', 'g', `../../${suite}/f/a`];
  const attrs = ['a:ev', 'a:1', 'a:m', 'a:VAR', 'a:R', 'g/d:e', `/${suite}/f/a:m`, './a:VAR', '../f/a:R', 'b:m', 'a:ECF_TRYNO'];
  const states = ['complete', 'queued', 'aborted', 'active', 'submitted', 'unknown'];
  const eq = ['==', 'eq', '!=', 'ne'];
  const cmpOps = ['==', 'eq', '!=', 'ne', '<', 'lt', '<=', 'le', '>', 'gt', '>=', 'ge'];
  const nots = ['not ', '! ', '!', '~ '];
  const ands = ['and', '&&', 'AND'];
  const ors = ['or', '||', 'OR'];
  const flags = ['a<flag>late', '/<flag>late', 'b<flag>late', '../f/c<flag>zombie', 'g/d<flag>archived'];

  const { sub } = fc.letrec<{ sub: string; head: string; item: string; calc: string; factor: string }>((tie) => ({
    factor: fc.oneof(
      { weight: 4, arbitrary: fc.integer({ min: 0, max: 12 }).map(String) },
      { weight: 4, arbitrary: pick(attrs) },
      { weight: 1, arbitrary: fc.tuple(opt, tie('calc'), opt).map(([a, c, b]) => `(${a}${c}${b})`) },
      { weight: 1, arbitrary: pick(flags) },
      { weight: 1, arbitrary: pick([':PV', ':ECF_TRYNO']) },
      { weight: 1, arbitrary: pick(['cal::date_to_julian(20240229)', 'cal::julian_to_date(2460311)', 'cal::date_to_julian( a:m )']) },
    ),
    calc: fc.oneof(
      { weight: 3, arbitrary: tie('factor') },
      {
        weight: 2,
        arbitrary: fc
          .tuple(tie('factor'), sp, pick(['+', '-', '*']), sp, tie('factor'))
          .map((t) => t.join('')),
      },
      {
        weight: 1,
        arbitrary: fc
          .tuple(tie('calc'), sp, pick(['/', '%']), sp, fc.integer({ min: 1, max: 9 }))
          .map((t) => t.join('')),
      },
    ),
    item: fc
      .tuple(
        fc.oneof(
          { weight: 3, arbitrary: fc.tuple(pick(nodes), sp, pick(eq), sp, pick(states)).map((t) => t.join('')) },
          {
            weight: 1,
            arbitrary: fc.tuple(pick(attrs), sp, pick(eq), sp, pick(['set', 'clear'])).map((t) => t.join('')),
          },
          {
            weight: 3,
            arbitrary: fc
              .tuple(tie('calc'), sp, pick(cmpOps), sp, fc.option(pick(nots), { freq: 6 }), tie('calc'))
              .map(([l, a, op, b, not, r]) => `${l}${a}${op}${b}${not ?? ''}${r}`),
          },
          { weight: 1, arbitrary: tie('calc') },
        ),
        fc.option(pick(nots), { freq: 5 }),
      )
      .map(([item, not]) => `${not ?? ''}${item}`),
    head: fc.oneof(
      {
        weight: 3,
        arbitrary: fc
          .array(tie('item'), { minLength: 1, maxLength: 3 })
          .chain((items) => fc.array(pick(ands), { minLength: items.length, maxLength: items.length }).map((ops) => items.map((it, i) => (i === 0 ? it : ` ${ops[i]} ${it}`)).join(''))),
      },
      {
        weight: 1,
        arbitrary: fc
          .tuple(fc.option(pick(['not ', '!', '~ ']), { freq: 4 }), opt, tie('sub'), opt)
          .map(([not, a, s, b]) => `${not ?? ''}(${a}${s}${b})`),
      },
    ),
    sub: fc.oneof(
      { weight: 3, arbitrary: tie('head') },
      {
        weight: 2,
        arbitrary: fc
          .tuple(tie('head'), sp, fc.oneof(pick(ands), pick(ors)), sp, tie('sub'))
          .map((t) => t.join('')),
      },
    ),
  }));
  return sub.filter((s) => s.length < 400);
}
