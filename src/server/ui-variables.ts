/**
 * The Variables panel (ecflow_ui's per-ancestor sections): the node's own variables and the
 * generated ones we can compute, then each ancestor's, then the server's (user, then built-in).
 * A variable hidden by one of the same name nearer the node is marked `shadowed`; computed ones
 * and the server's built-ins are marked `generated`.
 *
 * Generated variables computed here (ecFlow's SubGenVariables and the suite calendar):
 *   task/alias  ECF_NAME ECF_PASS ECF_RID ECF_TRYNO TASK ECF_JOB ECF_JOBOUT ECF_SCRIPT
 *   family      FAMILY FAMILY1
 *   suite       SUITE ECF_DATE YYYY DOW DOY DATE DAY DD MM MONTH ECF_CLOCK ECF_TIME ECF_JULIAN TIME
 *   any node    its repeat's variable (and NAME_YYYY/_MM/_DD/_DOW/_JULIAN for date repeats)
 */

import type { Defs } from '../model/defs.js';
import { dateToJulian } from '../model/expression-context.js';
import { parsePtime } from '../model/expression-model.js';
import { Family, Submittable, Suite, type Node } from '../model/node.js';
import { currentJobOutputPath } from '../logserver/output-path.js';
import { repeatValueText } from './ui-attributes.js';
import type { UiVariableRow, UiVariablesData } from './ui-protocol.js';

const DAYS = ['sunday', 'monday', 'tuesday', 'wednesday', 'thursday', 'friday', 'saturday'];
const MONTHS = ['january', 'february', 'march', 'april', 'may', 'june', 'july', 'august', 'september', 'october', 'november', 'december'];

type Section = UiVariablesData['sections'][number];

/**
 * The sections for `node` (undefined = the server alone).
 *
 * @example variablesOf(defs, defs.findNode('/s/f/t')).sections.map((s) => s.path) // ['/s/f/t', '/s/f', '/s', '']
 */
export function variablesOf(defs: Defs, node: Node | undefined): UiVariablesData {
  const sections: Section[] = [];
  for (let n = node; n !== undefined; n = n.parent) {
    const own: UiVariableRow[] = n.variables.map((v) => ({ name: v.name, value: v.value }));
    const generated: UiVariableRow[] = generatedVariables(n).map(([name, value]) => ({ name, value, generated: true }));
    sections.push({ path: n.path, kind: n.kind, name: n.name, variables: [...own, ...generated] });
  }
  sections.push({
    path: '',
    kind: 'server',
    name: '',
    variables: [
      ...defs.serverVariables.map((v) => ({ name: v.name, value: v.value })),
      ...defs.builtinServerVariables.map((v) => ({ name: v.name, value: v.value, generated: true })),
    ],
  });
  // Shadowing: a name defined nearer the node wins; inside a section a user variable hides the
  // generated one, and of duplicated user variables the last one counts (ecFlow's lookup).
  const seen = new Set<string>();
  const out = sections.map((s) => {
    const lastUser = new Map<string, number>();
    s.variables.forEach((v, i) => {
      if (v.generated !== true) lastUser.set(v.name, i);
    });
    const rows = s.variables.map((v, i) => {
      const user = lastUser.get(v.name);
      const hidden = seen.has(v.name) || (user !== undefined && user !== i);
      return hidden ? { ...v, shadowed: true } : v;
    });
    for (const v of s.variables) seen.add(v.name);
    return { ...s, variables: rows };
  });
  return { path: node?.path ?? '', sections: out };
}

/** [name, value] of the generated variables of one node (not inherited). */
export function generatedVariables(n: Node): Array<[string, string]> {
  const out: Array<[string, string]> = [];
  const home = n.findInheritedVariable('ECF_HOME')?.value ?? '';
  if (n instanceof Submittable) {
    out.push(['ECF_NAME', n.path]);
    out.push(['ECF_PASS', n.jobsPassword]);
    out.push(['ECF_RID', n.rid]);
    out.push(['ECF_TRYNO', String(n.tryNo)]);
    out.push(['TASK', n.kind === 'alias' && n.parent !== undefined ? n.parent.name : n.name]);
    out.push(['ECF_JOB', `${home}${n.path}.job${n.tryNo}`]);
    out.push(['ECF_JOBOUT', currentJobOutputPath(n)]);
    out.push(['ECF_SCRIPT', `${home}${n.path}.ecf`]);
  } else if (n instanceof Family) {
    out.push(['FAMILY', n.path.slice(n.path.indexOf('/', 1) + 1)]);
    out.push(['FAMILY1', n.name]);
  } else if (n instanceof Suite) {
    out.push(['SUITE', n.name]);
    out.push(...calendarVariables(n));
  }
  const r = n.repeat;
  if (r !== undefined && r.name !== '') {
    out.push([r.name, repeatValueText(r)]);
    if (r.kind === 'date' || r.kind === 'datelist') {
      const v = Number(repeatValueText(r));
      if (Number.isInteger(v) && v > 0) {
        const y = Math.trunc(v / 10000);
        const m = Math.trunc((v % 10000) / 100);
        const d = v % 100;
        out.push([`${r.name}_YYYY`, String(y)]);
        out.push([`${r.name}_MM`, String(m)]);
        out.push([`${r.name}_DD`, String(d)]);
        out.push([`${r.name}_DOW`, String(new Date(Date.UTC(y, m - 1, d)).getUTCDay())]);
        out.push([`${r.name}_JULIAN`, String(dateToJulian(v))]);
      }
    }
  }
  return out;
}

function calendarVariables(s: Suite): Array<[string, string]> {
  const t = s.calendar === undefined ? undefined : parsePtime(s.calendar.suiteTime);
  if (t === undefined) return [];
  const p2 = (n: number): string => String(n).padStart(2, '0');
  const date = new Date(Date.UTC(t.year, t.month - 1, t.day));
  const dow = date.getUTCDay();
  const doy = Math.round((date.getTime() - Date.UTC(t.year, 0, 1)) / 86_400_000) + 1;
  const ymd = t.year * 10000 + t.month * 100 + t.day;
  return [
    ['ECF_DATE', String(ymd)],
    ['YYYY', String(t.year)],
    ['DOW', String(dow)],
    ['DOY', String(doy)],
    ['DATE', `${p2(t.day)}.${p2(t.month)}.${t.year}`],
    ['DAY', DAYS[dow] ?? ''],
    ['DD', p2(t.day)],
    ['MM', p2(t.month)],
    ['MONTH', MONTHS[t.month - 1] ?? ''],
    ['ECF_CLOCK', `${DAYS[dow]}:${MONTHS[t.month - 1]}:${dow}:${doy}`],
    ['ECF_TIME', `${p2(t.hour)}:${p2(t.minute)}`],
    ['ECF_JULIAN', String(dateToJulian(ymd))],
    ['TIME', `${p2(t.hour)}${p2(t.minute)}`],
  ];
}
