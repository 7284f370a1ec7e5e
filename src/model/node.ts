/**
 * The node tree: Suite / Family / Task / Alias (ecflow-protocol.md §8.3, §10.2).
 *
 * Memory design (a million tasks must fit): fixed-shape classes; all attributes of a node live in
 * one `NodeAttrs` object that only exists when the node has at least one attribute, and inside it
 * every list stays `undefined` until something is added. A container keeps its children in an
 * array and builds a name → child Map lazily (only for containers with many children, only when a
 * lookup happens), so path lookup is O(depth). No per-node closures; kinds are prototype getters.
 *
 * Pure module: no Node or DOM types.
 */

import type { Defs } from './defs.js';
import { NState, DState, type NodeKind } from './types.js';
import type {
  AutoRestoreAttr,
  AutoTimeAttr,
  AvisoAttr,
  Calendar,
  ClockAttr,
  Event,
  Expression,
  GenericAttr,
  InLimit,
  Label,
  LateAttr,
  Limit,
  Meter,
  MirrorAttr,
  QueueAttr,
  Variable,
  VerifyAttr,
  ZombieAttr,
} from './attributes.js';
import type { CronAttr, DateAttr, DayAttr, TimeAttr } from './time-attributes.js';
import type { Repeat } from './repeat.js';

/** The attributes of one node (§10.3 order). Lists are undefined while empty. */
export class NodeAttrs {
  variables: Variable[] | undefined = undefined;
  labels: Label[] | undefined = undefined;
  meters: Meter[] | undefined = undefined;
  events: Event[] | undefined = undefined;
  limits: Limit[] | undefined = undefined;
  inlimits: InLimit[] | undefined = undefined;
  trigger: Expression | undefined = undefined;
  complete: Expression | undefined = undefined;
  late: LateAttr | undefined = undefined;
  repeat: Repeat | undefined = undefined;
  times: TimeAttr[] | undefined = undefined;
  todays: TimeAttr[] | undefined = undefined;
  dates: DateAttr[] | undefined = undefined;
  days: DayAttr[] | undefined = undefined;
  crons: CronAttr[] | undefined = undefined;
  avisos: AvisoAttr[] | undefined = undefined;
  mirrors: MirrorAttr[] | undefined = undefined;
  zombies: ZombieAttr[] | undefined = undefined;
  verifies: VerifyAttr[] | undefined = undefined;
  queues: QueueAttr[] | undefined = undefined;
  generics: GenericAttr[] | undefined = undefined;
  autoCancel: AutoTimeAttr | undefined = undefined;
  autoArchive: AutoTimeAttr | undefined = undefined;
  autoRestore: AutoRestoreAttr | undefined = undefined;
  /** Attribute lines this parser did not understand, verbatim (without indentation). */
  unknown: string[] | undefined = undefined;
}

/** Names of the list-valued attribute kinds of NodeAttrs. */
export type AttrListKey =
  | 'variables'
  | 'labels'
  | 'meters'
  | 'events'
  | 'limits'
  | 'inlimits'
  | 'times'
  | 'todays'
  | 'dates'
  | 'days'
  | 'crons'
  | 'avisos'
  | 'mirrors'
  | 'zombies'
  | 'verifies'
  | 'queues'
  | 'generics'
  | 'unknown';

const NO_NODES: readonly Node[] = Object.freeze([]);
/** Children count above which a container indexes its children by name. */
const INDEX_THRESHOLD = 12;

/** Base of all nodes. */
export abstract class Node {
  /** Parent container (a Task for aliases); undefined for suites and detached nodes. */
  parent: NodeContainer | Task | undefined = undefined;
  /** state (bits 0-2), defStatus (bits 3-5), suspended (bit 6): one small integer per node. */
  private bits: number = NState.UNKNOWN | (DState.QUEUED << 3);
  /** Flag bitmask (§10.6). */
  flags = 0;
  /** `dur:` seconds since suite start when the state last changed. */
  dur = 0;
  /** `rt:` state change runtime in seconds (text only: cereal does not carry it). */
  rt = 0;
  attrs: NodeAttrs | undefined = undefined;

  constructor(public name: string) {}

  abstract get kind(): NodeKind;

  get state(): NState {
    return (this.bits & 7) as NState;
  }
  set state(v: NState) {
    this.bits = (this.bits & ~7) | (v & 7);
  }
  /** Default status (`defstatus`), QUEUED by default. */
  get defStatus(): DState {
    return ((this.bits >> 3) & 7) as DState;
  }
  set defStatus(v: DState) {
    this.bits = (this.bits & ~56) | ((v & 7) << 3);
  }
  get suspended(): boolean {
    return (this.bits & 64) !== 0;
  }
  set suspended(v: boolean) {
    this.bits = v ? this.bits | 64 : this.bits & ~64;
  }

  /** Child nodes (children of a suite/family, aliases of a task). */
  get nodes(): readonly Node[] {
    return NO_NODES;
  }

  /**
   * Absolute path, e.g. `/s/f/t`. O(depth).
   *
   * @example defs.findNode('/s/f/t')?.path // '/s/f/t'
   */
  get path(): string {
    let p = '/' + this.name;
    for (let n = this.parent; n !== undefined; n = n.parent) p = '/' + n.name + p;
    return p;
  }

  /** The suite this node belongs to (itself for a suite). */
  get suite(): Suite | undefined {
    let n: Node = this;
    while (n.parent !== undefined) n = n.parent;
    return n instanceof Suite ? n : undefined;
  }

  /** The attribute object, created on first use. */
  attributes(): NodeAttrs {
    return (this.attrs ??= new NodeAttrs());
  }

  /** Append to an attribute list, creating it on first use. */
  addAttr<K extends AttrListKey>(key: K, item: NonNullable<NodeAttrs[K]>[number]): void {
    const a = this.attributes();
    const list = a[key] as unknown[] | undefined;
    if (list === undefined) (a[key] as unknown[]) = [item];
    else list.push(item);
  }

  get variables(): readonly Variable[] {
    return this.attrs?.variables ?? EMPTY;
  }
  get labels(): readonly Label[] {
    return this.attrs?.labels ?? EMPTY;
  }
  get meters(): readonly Meter[] {
    return this.attrs?.meters ?? EMPTY;
  }
  get events(): readonly Event[] {
    return this.attrs?.events ?? EMPTY;
  }
  get limits(): readonly Limit[] {
    return this.attrs?.limits ?? EMPTY;
  }
  get inlimits(): readonly InLimit[] {
    return this.attrs?.inlimits ?? EMPTY;
  }
  get trigger(): Expression | undefined {
    return this.attrs?.trigger;
  }
  get complete(): Expression | undefined {
    return this.attrs?.complete;
  }
  get repeat(): Repeat | undefined {
    return this.attrs?.repeat;
  }

  /**
   * The variable of that name defined on this node (the last one when duplicated), not inherited.
   *
   * @example node.findVariable('ECF_HOME')?.value
   */
  findVariable(name: string): Variable | undefined {
    const vars = this.attrs?.variables;
    if (vars === undefined) return undefined;
    for (let i = vars.length - 1; i >= 0; i--) if (vars[i]!.name === name) return vars[i];
    return undefined;
  }

  /** Variable value looked up on this node, then its ancestors, then the server (user then built-in). */
  findInheritedVariable(name: string): Variable | undefined {
    for (let n: Node | undefined = this; n !== undefined; n = n.parent) {
      const v = n.findVariable(name);
      if (v !== undefined) return v;
    }
    const defs = this.suite?.defs;
    return defs?.findServerVariable(name);
  }

  findLabel(name: string): Label | undefined {
    return this.attrs?.labels?.find((l) => l.name === name);
  }
  findMeter(name: string): Meter | undefined {
    return this.attrs?.meters?.find((m) => m.name === name);
  }
  /** Event by name, or by number when `nameOrNumber` is an integer. */
  findEvent(nameOrNumber: string): Event | undefined {
    const events = this.attrs?.events;
    if (events === undefined) return undefined;
    for (const e of events) if (e.name === nameOrNumber && e.name !== '') return e;
    if (/^[0-9]+$/.test(nameOrNumber)) {
      const n = Number(nameOrNumber);
      for (const e of events) if (e.number === n) return e;
    }
    return undefined;
  }
  findLimit(name: string): Limit | undefined {
    return this.attrs?.limits?.find((l) => l.name === name);
  }

  /** Drop every attribute that carries state (ecFlow Node::clear): all but autocancel/archive/restore. */
  clearAttributes(): void {
    const a = this.attrs;
    if (a === undefined) return;
    const ac = a.autoCancel;
    const aa = a.autoArchive;
    const ar = a.autoRestore;
    const unknown = a.unknown;
    if (ac === undefined && aa === undefined && ar === undefined && unknown === undefined) {
      this.attrs = undefined;
      return;
    }
    const fresh = new NodeAttrs();
    fresh.autoCancel = ac;
    fresh.autoArchive = aa;
    fresh.autoRestore = ar;
    fresh.unknown = unknown;
    this.attrs = fresh;
  }

  /** Find a direct child (or alias) by name. */
  findChild(_name: string): Node | undefined {
    return undefined;
  }
}

const EMPTY: readonly never[] = Object.freeze([]);

/** Suite or family: owns an ordered child list. */
export abstract class NodeContainer extends Node {
  protected kids: Node[] = [];
  private index: Map<string, Node> | undefined = undefined;

  override get nodes(): readonly Node[] {
    return this.kids;
  }
  /** Children in order. Change them only through the methods below. */
  get children(): readonly Node[] {
    return this.kids;
  }

  /**
   * Child by name: linear for few children, a lazily built Map for many (first wins on duplicates).
   *
   * @example suite.findChild('f1')
   */
  override findChild(name: string): Node | undefined {
    const kids = this.kids;
    if (kids.length <= INDEX_THRESHOLD) {
      for (let i = 0; i < kids.length; i++) if (kids[i]!.name === name) return kids[i];
      return undefined;
    }
    let index = this.index;
    if (index === undefined) {
      index = new Map();
      for (let i = kids.length - 1; i >= 0; i--) index.set(kids[i]!.name, kids[i]!);
      this.index = index;
    }
    return index.get(name);
  }

  /** Append (or insert at `at`) a child and set its parent. */
  addChild(child: Family | Task, at?: number): void {
    child.parent = this;
    if (at === undefined || at >= this.kids.length) this.kids.push(child);
    else this.kids.splice(Math.max(0, at), 0, child);
    this.index = undefined;
  }

  /** Remove a child; returns false when it is not a child of this container. */
  removeChild(child: Node): boolean {
    const i = this.kids.indexOf(child);
    if (i < 0) return false;
    this.kids.splice(i, 1);
    child.parent = undefined;
    this.index = undefined;
    return true;
  }

  /** Replace the whole child list (ChildrenMemento, OrderMemento). */
  setChildren(children: Node[]): void {
    for (const c of children) c.parent = this;
    this.kids = children;
    this.index = undefined;
  }
}

/** A suite: top-level container with begun flag, clock, end clock and calendar. */
export class Suite extends NodeContainer {
  /** The Defs holding this suite. */
  defs: Defs | undefined = undefined;
  begun = false;
  clock: ClockAttr | undefined = undefined;
  endClock: ClockAttr | undefined = undefined;
  calendar: Calendar | undefined = undefined;
  get kind(): 'suite' {
    return 'suite';
  }
}

export class Family extends NodeContainer {
  get kind(): 'family' {
    return 'family';
  }
}

/**
 * Job submission state of a task or alias (and a task's aliases), kept in a side object that only
 * exists once something differs from the defaults: most tasks of a big defs never need it.
 */
class JobState {
  jobsPassword = '';
  rid = '';
  abortReason = '';
  tryNo = 0;
  aliasNo = 0;
  aliases: Alias[] | undefined = undefined;
}

/** Task or alias: job submission state (SubmittableMemento). */
export abstract class Submittable extends Node {
  protected job: JobState | undefined = undefined;

  protected jobState(): JobState {
    return (this.job ??= new JobState());
  }
  /** Jobs password (`passwd:`), '' when none. */
  get jobsPassword(): string {
    return this.job?.jobsPassword ?? '';
  }
  set jobsPassword(v: string) {
    if (v !== '' || this.job !== undefined) this.jobState().jobsPassword = v;
  }
  /** Remote id / process id (`rid:`), '' when none. */
  get rid(): string {
    return this.job?.rid ?? '';
  }
  set rid(v: string) {
    if (v !== '' || this.job !== undefined) this.jobState().rid = v;
  }
  /** Abort reason in its text form: newlines as the two characters `\n`, `;` as a blank (see cereal-attrs). */
  get abortReason(): string {
    return this.job?.abortReason ?? '';
  }
  set abortReason(v: string) {
    if (v !== '' || this.job !== undefined) this.jobState().abortReason = v;
  }
  get tryNo(): number {
    return this.job?.tryNo ?? 0;
  }
  set tryNo(v: number) {
    if (v !== 0 || this.job !== undefined) this.jobState().tryNo = v;
  }
}

export class Task extends Submittable {
  get kind(): 'task' {
    return 'task';
  }
  /** `alias_no:` — number of the next alias. */
  get aliasNo(): number {
    return this.job?.aliasNo ?? 0;
  }
  set aliasNo(v: number) {
    if (v !== 0 || this.job !== undefined) this.jobState().aliasNo = v;
  }
  override get nodes(): readonly Node[] {
    return this.job?.aliases ?? NO_NODES;
  }
  get aliases(): readonly Alias[] {
    return this.job?.aliases ?? EMPTY;
  }
  override findChild(name: string): Node | undefined {
    return this.job?.aliases?.find((a) => a.name === name);
  }
  addAlias(alias: Alias): void {
    alias.parent = this;
    const job = this.jobState();
    if (job.aliases === undefined) job.aliases = [alias];
    else job.aliases.push(alias);
  }
  /** Replace the alias list (AliasChildrenMemento, OrderMemento on a task). */
  setAliases(aliases: Alias[]): void {
    for (const a of aliases) a.parent = this;
    if (aliases.length > 0 || this.job !== undefined) this.jobState().aliases = aliases.length === 0 ? undefined : aliases;
  }
}

export class Alias extends Submittable {
  get kind(): 'alias' {
    return 'alias';
  }
}

/** True for suites and families. */
export function isContainer(node: Node): node is NodeContainer {
  return node instanceof NodeContainer;
}
