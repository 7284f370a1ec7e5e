/**
 * Generator of large synthetic defs for tests and benchmarks (ecflow-protocol.md §10, §15):
 * suites of families of `familySize` tasks, with a label, a meter and an event on every
 * `attrEvery`-th task. Produces either a plain definition (to load into a server with LoadDefsCmd)
 * or NET-style text with state comments, like a SYNC_FULL reply of a running server.
 *
 * Deterministic: the same options always give the same text, and it is exactly what `printDefs`
 * prints for it (`DEFS` style for the plain text, `NET` for the text with state).
 *
 * Pure module: no Node or DOM types.
 */

export interface GenerateDefsOptions {
  /** Number of suites (default 1). */
  suites?: number;
  /** Total number of tasks, spread evenly over the suites. */
  tasks: number;
  /** Tasks per family (default 100). */
  familySize?: number;
  /** Every n-th task gets a label, a meter and an event (default 10; 0 = none). */
  attrEvery?: number;
  /** NET text with `defs_state` line and state comments (default false: plain definition). */
  withState?: boolean;
}

/** Mostly queued and complete tasks, a few active/submitted/aborted ones (per 100 tasks). */
function stateOf(i: number): string {
  const k = (i * 37) % 100;
  if (k < 80) return 'queued';
  if (k < 95) return 'complete';
  if (k < 98) return 'active';
  if (k < 99) return 'submitted';
  return 'aborted';
}

function dur(i: number): string {
  const s = (i * 7) % 86400;
  const h = Math.floor(s / 3600);
  const m = Math.floor((s % 3600) / 60);
  const sec = s % 60;
  return `${h < 10 ? '0' : ''}${h}:${m < 10 ? '0' : ''}${m}:${sec < 10 ? '0' : ''}${sec}`;
}

/**
 * Generate a defs text.
 *
 * @example
 * const net = generateSuiteDefs({ tasks: 100_000, withState: true });
 * const plain = generateSuiteDefs({ suites: 2, tasks: 1000, familySize: 50, attrEvery: 10 });
 */
export function generateSuiteDefs(options: GenerateDefsOptions): string {
  const suites = Math.max(1, options.suites ?? 1);
  const familySize = Math.max(1, options.familySize ?? 100);
  const attrEvery = options.attrEvery ?? 10;
  const withState = options.withState ?? false;
  const chunks: string[] = [];
  let buf = '';
  const emit = (line: string): void => {
    buf += line + '\n';
    if (buf.length > 65536) {
      chunks.push(buf);
      buf = '';
    }
  };
  const ind = (level: number): string => (withState ? '' : '  '.repeat(level));

  emit('#5.9.2');
  if (withState) {
    emit(`defs_state NET state>:active flag:message state_change:${options.tasks * 3 + 17} modify_change:${suites + 3} cal_count:0`);
    emit("edit ECF_MICRO '%' # server");
    emit("edit ECF_HOME '/home/ops/ecf_home' # server");
    emit("edit ECF_JOB_CMD '%ECF_JOB% 1> %ECF_JOBOUT% 2>&1' # server");
    emit("edit ECF_PORT '3141' # server");
    emit("edit ECF_VERSION '5.9.2' # server");
  }
  let task = 0;
  for (let s = 0; s < suites; s++) {
    const count = Math.floor(options.tasks / suites) + (s < options.tasks % suites ? 1 : 0);
    emit(`suite s${s}` + (withState ? ' # begun:1 state:active dur:00:00:01' : ''));
    emit(`${ind(1)}edit ECF_HOME '/home/ops/ecf_home'`);
    emit(`${ind(1)}edit SLEEP '1'`);
    if (withState) {
      emit(
        'calendar initTime:2026-Nov-26 07:13:35 suiteTime:2026-Nov-26 07:15:00 duration:00:01:25 ' +
          'initLocalTime:2026-Nov-26 07:13:35 lastTime:2026-Nov-26 07:15:00 calendarIncrement:00:01:00',
      );
    }
    for (let f = 0; f * familySize < count; f++) {
      emit(`${ind(1)}family f${f}` + (withState ? ' # state:active dur:00:00:01' : ''));
      const n = Math.min(familySize, count - f * familySize);
      for (let t = 0; t < n; t++, task++) {
        const name = `t${t}`;
        if (!withState) {
          emit(`${ind(2)}task ${name}`);
        } else {
          const st = stateOf(task);
          let line = `task ${name} #`;
          if (st === 'active' || st === 'submitted') line += ` passwd:Xy${task % 1000}abc rid:${10000 + (task % 50000)} try:1`;
          if (st === 'aborted') line += ' abort<:Script for /s/f/t failed:\\n exit 1>abort try:2';
          line += ` state:${st}`;
          if (st !== 'queued') line += ` dur:${dur(task)}`;
          if (st === 'aborted') line += ' flag:task_aborted,message';
          emit(line);
        }
        if (attrEvery > 0 && task % attrEvery === 0) {
          const v = task % 101;
          emit(`${ind(3)}label info "waiting"` + (withState && v % 2 === 0 ? ` # "step ${v} done"` : ''));
          emit(`${ind(3)}meter progress 0 100 100` + (withState && v !== 0 ? ` # ${v}` : ''));
          emit(`${ind(3)}event done` + (withState && v % 3 === 0 ? ' # set' : ''));
        }
      }
      emit(`${ind(1)}endfamily`);
    }
    emit('endsuite');
  }
  emit('# enddef');
  chunks.push(buf);
  return chunks.join('');
}
