/**
 * cereal JSON, the way ecFlow writes it (ecflow-protocol.md §2).
 *
 * Reading (§2.5): `readCereal(doc)` turns a parsed cereal document into plain objects:
 *  - `cereal_class_version` members are dropped;
 *  - a polymorphic pointer becomes its pointee with an extra `$type` member holding the
 *    `polymorphic_name` (bare type numbers are resolved through the per-message table, also for
 *    type names we do not know: a 5.17 server sends new ones, ecflow-protocol-5.17.md §9.2);
 *  - `ptr_wrapper` (shared_ptr `{id,data}` and unique_ptr `{valid,data}`) is unwrapped; a null
 *    unique_ptr (`valid: 0`) becomes `null`;
 *  - a base-class part (`value0` holding an object) is merged into the object that holds it, so
 *    `{value0:{value0:{cl_host_},user_},api_}` reads as `{cl_host_,user_,api_}`. `value0` holding
 *    anything else (a string, number or array: unnamed values, e.g. SStatsCmd) is kept as is.
 *
 * Writing (§2.4): `CerealWriter` emits `cereal_class_version` once per class per message and
 * numbers polymorphic types and shared pointers per message. Build objects in serialisation order:
 * JavaScript keeps string keys in insertion order, so `JSON.stringify` writes members in the order
 * they were added.
 *
 * Pure module: no Node or DOM types.
 */

import { EcflowError, ErrorCode } from '../errors.js';

export type CerealObject = { [key: string]: unknown };

const HIGH_BIT = 0x80000000;

/**
 * Deepest nesting accepted by `readCereal`. Real ecFlow documents are a few dozen levels deep (a
 * node tree adds about five per family level); the limit keeps hostile input from overflowing the
 * stack.
 */
export const MAX_CEREAL_DEPTH = 2000;

/** Per-message state of a reader: type number -> polymorphic name. */
class ReadContext {
  readonly types = new Map<number, string>();
  /** shared_ptr object number -> the object read for it (for back-references). */
  readonly objects = new Map<number, unknown>();
  depth = 0;
}

/**
 * Convert a parsed cereal JSON document into plain objects (see module comment).
 * Throws EcflowError(DECODE) on a bare polymorphic id that was never introduced, on malformed
 * pointers, and on nesting deeper than MAX_CEREAL_DEPTH.
 *
 * @example
 * readCereal({ polymorphic_id: 2147483649, polymorphic_name: 'StcCmd',
 *   ptr_wrapper: { id: 2147483649, data: { cereal_class_version: 0, value0: {}, api_: 0 } } });
 * // { $type: 'StcCmd', api_: 0 }
 */
export function readCereal(doc: unknown): unknown {
  return readValue(doc, new ReadContext());
}

function readValue(v: unknown, ctx: ReadContext): unknown {
  if (v === null || typeof v !== 'object') return v;
  if (++ctx.depth > MAX_CEREAL_DEPTH) {
    throw new EcflowError(ErrorCode.DECODE, `cereal: document nested deeper than ${MAX_CEREAL_DEPTH} levels`);
  }
  let out: unknown;
  if (Array.isArray(v)) {
    const arr = new Array<unknown>(v.length);
    for (let i = 0; i < v.length; i++) arr[i] = readValue(v[i], ctx);
    out = arr;
  } else {
    out = readObject(v as CerealObject, ctx);
  }
  ctx.depth--;
  return out;
}

function readObject(o: CerealObject, ctx: ReadContext): unknown {
  if ('ptr_wrapper' in o) return readPointer(o, ctx);
  const out: CerealObject = {};
  mergeMembers(o, out, ctx);
  return out;
}

function setMember(out: CerealObject, key: string, value: unknown): void {
  // JSON.parse creates an own "__proto__" member; plain assignment would change the prototype.
  if (key === '__proto__') Object.defineProperty(out, key, { value, enumerable: true, writable: true, configurable: true });
  else out[key] = value;
}

function mergeMembers(o: CerealObject, out: CerealObject, ctx: ReadContext): void {
  if (++ctx.depth > MAX_CEREAL_DEPTH) {
    throw new EcflowError(ErrorCode.DECODE, `cereal: document nested deeper than ${MAX_CEREAL_DEPTH} levels`);
  }
  for (const key in o) {
    if (key === 'cereal_class_version') continue;
    const value = o[key];
    if (key === 'value0' && value !== null && typeof value === 'object' && !Array.isArray(value)) {
      const base = value as CerealObject;
      if ('ptr_wrapper' in base) {
        out[key] = readPointer(base, ctx);
      } else {
        mergeMembers(base, out, ctx);
      }
      continue;
    }
    setMember(out, key, readValue(value, ctx));
  }
  ctx.depth--;
}

function readPointer(o: CerealObject, ctx: ReadContext): unknown {
  let typeName: string | undefined;
  const pid = o['polymorphic_id'];
  if (pid !== undefined) {
    if (typeof pid !== 'number' || !Number.isInteger(pid) || pid < 0) {
      throw new EcflowError(ErrorCode.DECODE, `cereal: polymorphic_id ${String(pid)} is not a type number`);
    }
    if (pid >= HIGH_BIT) {
      const name = o['polymorphic_name'];
      if (typeof name !== 'string') {
        throw new EcflowError(ErrorCode.DECODE, `cereal: polymorphic id ${pid} without polymorphic_name`);
      }
      ctx.types.set(pid - HIGH_BIT, name);
      typeName = name;
    } else if (pid === 0) {
      return null; // a null polymorphic pointer
    } else {
      typeName = ctx.types.get(pid);
      if (typeName === undefined) {
        throw new EcflowError(ErrorCode.DECODE, `cereal: polymorphic id ${pid} used before it was introduced`);
      }
    }
  }
  const wrapper = o['ptr_wrapper'];
  if (wrapper === null || typeof wrapper !== 'object' || Array.isArray(wrapper)) {
    throw new EcflowError(ErrorCode.DECODE, 'cereal: ptr_wrapper is not an object');
  }
  const w = wrapper as CerealObject;
  if ('valid' in w && !w['valid']) return null;
  const id = w['id'];
  if (!('data' in w)) {
    // A second reference to an object already written in this message (a shared_ptr held twice,
    // e.g. the same reply in a GroupSTCCmd): the id without the high bit names it.
    if (typeof id === 'number' && id < HIGH_BIT) {
      if (!ctx.objects.has(id)) throw new EcflowError(ErrorCode.DECODE, `cereal: shared pointer ${id} used before it was written`);
      return ctx.objects.get(id);
    }
    if (id === 0) return null;
    throw new EcflowError(ErrorCode.DECODE, 'cereal: ptr_wrapper without data');
  }
  const data = w['data'];
  let out: unknown;
  if (data === null || typeof data !== 'object' || Array.isArray(data)) {
    out = readValue(data, ctx);
  } else {
    const obj: CerealObject = typeName === undefined ? {} : { $type: typeName };
    mergeMembers(data as CerealObject, obj, ctx);
    out = obj;
  }
  if (typeof id === 'number' && id >= HIGH_BIT) ctx.objects.set(id - HIGH_BIT, out);
  return out;
}

/**
 * Builds one cereal message. Use a new writer per message.
 *
 * @example
 * const w = new CerealWriter();
 * const cmd = w.polymorphic('CtsCmd', w.versioned('CtsCmd', { value0: base, api_: 8 }));
 */
export class CerealWriter {
  private readonly versionedClasses = new Set<string>();
  private readonly typeNumbers = new Map<string, number>();
  private nextType = 1;
  private nextObject = 1;

  /**
   * Object of a versioned class: `cereal_class_version: 0` first, but only the first time the class
   * appears in this message. Call in serialisation order (outer objects before their members).
   */
  versioned(className: string, members: () => CerealObject): CerealObject {
    const out: CerealObject = {};
    if (!this.versionedClasses.has(className)) {
      this.versionedClasses.add(className);
      out['cereal_class_version'] = 0;
    }
    return Object.assign(out, members());
  }

  /** Whether the class already had its version written in this message. */
  hasVersion(className: string): boolean {
    return this.versionedClasses.has(className);
  }

  /**
   * A polymorphic shared pointer. `data` is a thunk so that the pointee's classes are numbered
   * after the pointer itself (cereal's depth-first order).
   */
  polymorphic(typeName: string, data: () => CerealObject): CerealObject {
    const known = this.typeNumbers.get(typeName);
    const out: CerealObject = {};
    if (known === undefined) {
      const n = this.nextType++;
      this.typeNumbers.set(typeName, n);
      out['polymorphic_id'] = (HIGH_BIT | n) >>> 0;
      out['polymorphic_name'] = typeName;
    } else {
      out['polymorphic_id'] = known;
    }
    const id = (HIGH_BIT | this.nextObject++) >>> 0;
    out['ptr_wrapper'] = { id, data: data() };
    return out;
  }

  /** A non-polymorphic shared pointer (e.g. CompoundMemento, Limit). */
  shared(data: () => CerealObject): CerealObject {
    const id = (HIGH_BIT | this.nextObject++) >>> 0;
    return { ptr_wrapper: { id, data: data() } };
  }

  /** A unique_ptr: `{ptr_wrapper:{valid:1,data}}`, or `{ptr_wrapper:{valid:0}}` for null. */
  unique(data: (() => CerealObject) | null): CerealObject {
    return data === null ? { ptr_wrapper: { valid: 0 } } : { ptr_wrapper: { valid: 1, data: data() } };
  }
}
