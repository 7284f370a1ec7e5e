/**
 * The server-level model (ecflow-protocol.md §7, §10.1): `Defs` holds the writer version, the
 * `defs_state` numbers and states, server variables, edit history and the suites, and offers
 * O(depth) path lookup.
 *
 * Pure module: no Node or DOM types.
 */

import { NState, SState } from './types.js';
import type { Variable } from './attributes.js';
import type { Node, Suite } from './node.js';

const SUITE_INDEX_THRESHOLD = 12;

export class Defs {
  /** Writer version from the `#x.y.z` first line ('' when absent). */
  version = '';
  /** Style word of the `defs_state` line (NET, MIGRATE, STATE), '' for plain definitions. */
  style = '';
  /** Aggregated defs state (`state>:`). */
  state: NState = NState.UNKNOWN;
  /** Server-level flags (`flag:` of `defs_state`, FlagMemento on '/'). */
  flags = 0;
  /** Numbers to send in the next NEWS/SYNC (§7). */
  stateChange = 0;
  modifyChange = 0;
  serverState: SState = SState.RUNNING;
  /** `cal_count:` of the defs_state line. */
  calCount = 0;
  /** User-defined server variables (`edit N 'v'` at defs level; ServerVariableMemento). */
  serverVariables: Variable[] = [];
  /** Built-in server variables (`edit N 'v' # server`). */
  builtinServerVariables: Variable[] = [];
  /** Edit history (MIGRATE `history` lines): node path → messages. */
  history: Map<string, string[]> | undefined = undefined;
  /** `extern` lines (plain definition files only; not part of the NET text). */
  externs: string[] | undefined = undefined;
  /** Defs-level lines that were not understood, verbatim. */
  unknown: string[] | undefined = undefined;

  private suiteList: Suite[] = [];
  private suiteIndex: Map<string, Suite> | undefined = undefined;

  get suites(): readonly Suite[] {
    return this.suiteList;
  }

  /** Append (or insert at `at`) a suite. */
  addSuite(suite: Suite, at?: number): void {
    suite.defs = this;
    suite.parent = undefined;
    if (at === undefined || at >= this.suiteList.length) this.suiteList.push(suite);
    else this.suiteList.splice(Math.max(0, at), 0, suite);
    this.suiteIndex = undefined;
  }

  /** Remove a suite; false when not present. */
  removeSuite(suite: Suite): boolean {
    const i = this.suiteList.indexOf(suite);
    if (i < 0) return false;
    this.suiteList.splice(i, 1);
    suite.defs = undefined;
    this.suiteIndex = undefined;
    return true;
  }

  /** Replace the suite list (OrderMemento on '/'). */
  setSuites(suites: Suite[]): void {
    for (const s of suites) s.defs = this;
    this.suiteList = suites;
    this.suiteIndex = undefined;
  }

  findSuite(name: string): Suite | undefined {
    const list = this.suiteList;
    if (list.length <= SUITE_INDEX_THRESHOLD) {
      for (let i = 0; i < list.length; i++) if (list[i]!.name === name) return list[i];
      return undefined;
    }
    let index = this.suiteIndex;
    if (index === undefined) {
      index = new Map();
      for (let i = list.length - 1; i >= 0; i--) index.set(list[i]!.name, list[i]!);
      this.suiteIndex = index;
    }
    return index.get(name);
  }

  /**
   * The node at an absolute path (`/suite/family/task[/alias]`), O(depth). `undefined` for '/',
   * relative or unknown paths. Repeated or trailing slashes are tolerated.
   *
   * @example defs.findNode('/s1/f1/t1')?.state
   */
  findNode(path: string): Node | undefined {
    if (path.charCodeAt(0) !== 47 /* / */) return undefined;
    let node: Node | undefined;
    let start = 1;
    const len = path.length;
    while (start < len) {
      let end = path.indexOf('/', start);
      if (end < 0) end = len;
      if (end > start) {
        const name = path.slice(start, end);
        node = node === undefined ? this.findSuite(name) : node.findChild(name);
        if (node === undefined) return undefined;
      }
      start = end + 1;
    }
    return node;
  }

  /** Server variable by name: user variables first (last wins), then built-in ones. */
  findServerVariable(name: string): Variable | undefined {
    for (let i = this.serverVariables.length - 1; i >= 0; i--) {
      if (this.serverVariables[i]!.name === name) return this.serverVariables[i];
    }
    for (let i = this.builtinServerVariables.length - 1; i >= 0; i--) {
      if (this.builtinServerVariables[i]!.name === name) return this.builtinServerVariables[i];
    }
    return undefined;
  }

  /**
   * Visit every node depth-first in defs order (suites, their children, a task's aliases).
   * Return `false` from the callback to skip a node's subtree.
   *
   * @example let n = 0; defs.forEachNode(() => { n++; });
   */
  forEachNode(visit: (node: Node) => boolean | void): void {
    const stack: Node[] = [];
    for (let i = this.suiteList.length - 1; i >= 0; i--) stack.push(this.suiteList[i]!);
    while (stack.length > 0) {
      const node = stack.pop()!;
      if (visit(node) === false) continue;
      const kids = node.nodes;
      for (let i = kids.length - 1; i >= 0; i--) stack.push(kids[i]!);
    }
  }
}
