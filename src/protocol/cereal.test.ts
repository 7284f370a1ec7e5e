// Tests of the generic cereal JSON reader and writer (ecflow-protocol.md §2.2-2.5).
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { EcflowError, ErrorCode } from '../errors.js';
import { CerealWriter, MAX_CEREAL_DEPTH, readCereal } from './cereal.js';

const HIGH = 0x80000000;

function throwsDecode(fn: () => unknown, message: RegExp): void {
  assert.throws(fn, (e: unknown) => e instanceof EcflowError && e.code === ErrorCode.DECODE && message.test(e.message));
}

describe('readCereal', () => {
  test('drops versions, unwraps pointers, merges base parts, tags polymorphic objects', () => {
    const doc = {
      polymorphic_id: HIGH + 1,
      polymorphic_name: 'CtsCmd',
      ptr_wrapper: {
        id: HIGH + 1,
        data: {
          cereal_class_version: 0,
          value0: { cereal_class_version: 0, value0: { cereal_class_version: 0, cl_host_: 'vm' }, user_: 'root' },
          api_: 8,
        },
      },
    };
    assert.deepEqual(readCereal(doc), { $type: 'CtsCmd', cl_host_: 'vm', user_: 'root', api_: 8 });
  });

  test('later occurrences of a type are resolved through the per-message table', () => {
    const doc = [
      { polymorphic_id: HIGH + 1, polymorphic_name: 'A', ptr_wrapper: { id: HIGH + 1, data: { x: 1 } } },
      { polymorphic_id: HIGH + 2, polymorphic_name: 'B', ptr_wrapper: { id: HIGH + 2, data: { x: 2 } } },
      { polymorphic_id: 1, ptr_wrapper: { id: HIGH + 3, data: { x: 3 } } },
    ];
    assert.deepEqual(readCereal(doc), [
      { $type: 'A', x: 1 },
      { $type: 'B', x: 2 },
      { $type: 'A', x: 3 },
    ]);
    throwsDecode(() => readCereal({ polymorphic_id: 5, ptr_wrapper: { id: 1, data: {} } }), /used before it was introduced/);
    throwsDecode(() => readCereal({ polymorphic_id: HIGH + 1, ptr_wrapper: { id: 1, data: {} } }), /without polymorphic_name/);
    throwsDecode(() => readCereal({ polymorphic_id: 'x', ptr_wrapper: { id: 1, data: {} } }), /not a type number/);
  });

  test('unique_ptr: valid 0 is null; unnamed non-object values stay as they are', () => {
    assert.equal(readCereal({ ptr_wrapper: { valid: 0 } }), null);
    assert.deepEqual(readCereal({ ptr_wrapper: { valid: 1, data: { a: 1 } } }), { a: 1 });
    assert.deepEqual(readCereal({ value0: 'name', value1: { index: 3, data: 7 }, value2: [1] }), {
      value0: 'name',
      value1: { index: 3, data: 7 },
      value2: [1],
    });
    throwsDecode(() => readCereal({ ptr_wrapper: { id: 1 } }), /used before it was written/);
    // A shared object written once and referenced again (seen in GroupSTCCmd replies of 5.9.2).
    const twice = readCereal({
      a: { polymorphic_id: 2147483649, polymorphic_name: 'StcCmd', ptr_wrapper: { id: 2147483649, data: { api_: 0 } } },
      b: { polymorphic_id: 1, ptr_wrapper: { id: 1 } },
    }) as Record<string, unknown>;
    assert.deepEqual(twice['a'], { $type: 'StcCmd', api_: 0 });
    assert.equal(twice['b'], twice['a']);
    throwsDecode(() => readCereal({ ptr_wrapper: 3 }), /not an object/);
  });

  test('a "__proto__" member stays a member', () => {
    const out = readCereal(JSON.parse('{"__proto__": {"polluted": true}, "a": 1}')) as Record<string, unknown>;
    assert.equal(Object.getPrototypeOf(out), Object.prototype);
    assert.equal((out as { polluted?: unknown }).polluted, undefined);
    assert.deepEqual(Object.keys(out), ['__proto__', 'a']);
  });

  test('nesting is limited', () => {
    let deep: unknown = 1;
    for (let i = 0; i < MAX_CEREAL_DEPTH + 1; i++) deep = [deep];
    throwsDecode(() => readCereal(deep), /nested deeper than/);
    let ok: unknown = 1;
    for (let i = 0; i < 500; i++) ok = { value0: { a: ok } };
    assert.doesNotThrow(() => readCereal(ok));
  });
});

describe('CerealWriter', () => {
  test('versions once per class, type numbers and pointer ids per message', () => {
    const w = new CerealWriter();
    const first = w.polymorphic('X', () => w.versioned('X', () => ({ a: 1 })));
    const second = w.polymorphic('X', () => w.versioned('X', () => ({ a: 2 })));
    const other = w.polymorphic('Y', () => w.versioned('Y', () => ({ b: 1 })));
    assert.deepEqual(first, {
      polymorphic_id: HIGH + 1,
      polymorphic_name: 'X',
      ptr_wrapper: { id: HIGH + 1, data: { cereal_class_version: 0, a: 1 } },
    });
    assert.deepEqual(second, { polymorphic_id: 1, ptr_wrapper: { id: HIGH + 2, data: { a: 2 } } });
    assert.deepEqual(other, {
      polymorphic_id: HIGH + 2,
      polymorphic_name: 'Y',
      ptr_wrapper: { id: HIGH + 3, data: { cereal_class_version: 0, b: 1 } },
    });
    assert.equal(w.hasVersion('X'), true);
    assert.deepEqual(w.shared(() => ({ c: 1 })), { ptr_wrapper: { id: HIGH + 4, data: { c: 1 } } });
    assert.deepEqual(w.unique(null), { ptr_wrapper: { valid: 0 } });
    assert.deepEqual(readCereal([first, second, other]), [
      { $type: 'X', a: 1 },
      { $type: 'X', a: 2 },
      { $type: 'Y', b: 1 },
    ]);
  });
});
