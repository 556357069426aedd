// Arguments for a contract call, generated from its zod 4 schema: valid ones through the schema's JSON Schema
// (`z.toJSONSchema`, the public way to read a zod 4 schema), invalid ones by breaking a valid one (a wrong
// type, a huge string, a number out of range, an unknown key, prototype-pollution keys, deep nesting) or by
// sending anything at all. No maintained zod-4 → fast-check library is installed, hence this small one.
import fc from 'fast-check';
import { z } from 'zod';

type JsonSchema = {
  type?: string | string[];
  properties?: Record<string, JsonSchema>;
  required?: string[];
  additionalProperties?: boolean | JsonSchema;
  items?: JsonSchema;
  minItems?: number;
  maxItems?: number;
  minLength?: number;
  maxLength?: number;
  pattern?: string;
  format?: string;
  enum?: unknown[];
  const?: unknown;
  anyOf?: JsonSchema[];
  oneOf?: JsonSchema[];
  minimum?: number;
  maximum?: number;
  exclusiveMinimum?: number;
  exclusiveMaximum?: number;
};

/** Values worth trying beside random ones, per property name (a real conversation id, a real seq). */
export type KnownValues = Record<string, readonly unknown[]>;

/** Long strings stay short by default: the huge ones are the invalid generator's job. */
const STRING_CAP = 300;

function fromJsonSchema(s: JsonSchema, known: KnownValues, name?: string): fc.Arbitrary<unknown> {
  const plain = plainFromJsonSchema(s, known);
  const extra = name !== undefined ? known[name] : undefined;
  return extra && extra.length > 0 ? fc.oneof(fc.constantFrom(...extra), plain) : plain;
}

function plainFromJsonSchema(s: JsonSchema, known: KnownValues): fc.Arbitrary<unknown> {
  if (s.const !== undefined) return fc.constant(s.const);
  if (s.enum) return fc.constantFrom(...s.enum);
  const union = s.anyOf ?? s.oneOf;
  if (union) return fc.oneof(...union.map((u) => fromJsonSchema(u, known)));
  switch (s.type) {
    case 'null':
      return fc.constant(null);
    case 'boolean':
      return fc.boolean();
    case 'integer':
    case 'number': {
      const min =
        s.exclusiveMinimum !== undefined ? s.exclusiveMinimum + 1 : (s.minimum ?? Number.MIN_SAFE_INTEGER);
      const max =
        s.exclusiveMaximum !== undefined ? s.exclusiveMaximum - 1 : (s.maximum ?? Number.MAX_SAFE_INTEGER);
      // The edges are where the bugs are: both bounds, just inside, and small values.
      const small = fc.integer({ min: Math.max(min, -(2 ** 31)), max: Math.min(max, 2 ** 31 - 1) });
      const edges = fc.constantFrom(min, max, Math.min(min + 1, max), Math.max(max - 1, min));
      // Beyond 32 bits only where the range reaches there: filtering the whole safe range down to a narrow
      // one (1..60) would almost never pass, and fast-check retries a filter without end.
      return max - min > 2 ** 32
        ? fc.oneof(
            small,
            edges,
            fc.maxSafeInteger().filter((n) => n >= min && n <= max),
          )
        : fc.oneof(small, edges);
    }
    case 'string': {
      if (s.pattern) return fc.stringMatching(new RegExp(s.pattern));
      if (s.format === 'uuid') return fc.uuid();
      const minLength = s.minLength ?? 0;
      const maxLength = Math.min(s.maxLength ?? STRING_CAP, Math.max(STRING_CAP, minLength));
      return fc.oneof(
        fc.string({ minLength, maxLength, unit: 'grapheme' }),
        fc.string({ minLength, maxLength, unit: 'binary' }),
      );
    }
    case 'array':
      return fc.array(s.items ? fromJsonSchema(s.items, known) : fc.anything(), {
        minLength: s.minItems ?? 0,
        maxLength: Math.min(s.maxItems ?? 10, 10),
      });
    case 'object': {
      const record: Record<string, fc.Arbitrary<unknown>> = {};
      for (const [key, value] of Object.entries(s.properties ?? {}))
        record[key] = fromJsonSchema(value, known, key);
      return fc.record(record, { requiredKeys: s.required ?? [] });
    }
    default:
      return fc.anything();
  }
}

const isUndefinedSchema = (schema: z.ZodType): boolean =>
  (schema as unknown as { _zod: { def: { type: string } } })._zod.def.type === 'undefined';

/** Arguments the schema accepts (checked against the schema itself, so refinements hold too). */
export function validArgs(schema: z.ZodType, known: KnownValues = {}): fc.Arbitrary<unknown> {
  if (isUndefinedSchema(schema)) return fc.constant(undefined);
  const json = z.toJSONSchema(schema, { io: 'input', unrepresentable: 'any' }) as JsonSchema;
  return fromJsonSchema(json, known).filter((v) => schema.safeParse(v).success);
}

/**
 * Values shaped like the schema's JSON Schema, NOT filtered by the schema (refinements may fail): near misses
 * for validators. Falls back to anything where the schema has no JSON Schema form.
 */
export function shapedLike(schema: z.ZodType): fc.Arbitrary<unknown> {
  if (isUndefinedSchema(schema)) return fc.constant(undefined);
  try {
    return fromJsonSchema(z.toJSONSchema(schema, { io: 'input', unrepresentable: 'any' }) as JsonSchema, {});
  } catch {
    return fc.anything();
  }
}

/** Keys that would pollute Object.prototype if merged carelessly; JSON.parse makes them own properties. */
const POLLUTING = ['__proto__', 'constructor', 'prototype'] as const;
export const POLLUTION_MARK = 'cmFuzzPolluted';

const deepNesting = (depth: number): unknown => {
  let v: unknown = POLLUTION_MARK;
  for (let i = 0; i < depth; i++) v = i % 2 ? [v] : { a: v };
  return v;
};

/** A value the schema refuses, each named by how it was broken (for the report). */
export function invalidArgs(
  schema: z.ZodType,
  known: KnownValues = {},
  hugeChars = 1 << 20,
): fc.Arbitrary<unknown> {
  const valid = isUndefinedSchema(schema) ? fc.constant({}) : validArgs(schema, known);
  const wrongValue = fc.oneof(
    fc.constantFrom(
      null,
      true,
      -1,
      0,
      2 ** 53,
      -(2 ** 53),
      Number.NaN,
      Number.POSITIVE_INFINITY,
      1.5,
      1e308,
      '',
      [],
      {},
      'x'.repeat(hugeChars),
    ),
    fc.anything({ maxDepth: 3 }),
    fc.constant(deepNesting(3_000)),
  );
  const replaceOne = fc.tuple(valid, wrongValue, fc.nat()).map(([args, wrong, pick]) => {
    if (typeof args !== 'object' || args === null) return wrong;
    const keys = Object.keys(args);
    if (keys.length === 0) return { ...(args as object), unexpected: wrong };
    return { ...(args as object), [keys[pick % keys.length]!]: wrong };
  });
  const polluting = fc.tuple(valid, fc.constantFrom(...POLLUTING)).map(([args, key]) => {
    const base = JSON.stringify(typeof args === 'object' && args !== null ? args : {});
    const injected = `{"${key}":{"${POLLUTION_MARK}":true,"prototype":{"${POLLUTION_MARK}":true}},${base.slice(1)}`;
    return JSON.parse(injected.replace(',}', '}')) as unknown;
  });
  const extraKey = fc
    .tuple(valid, fc.string({ minLength: 1, maxLength: 20 }), fc.anything({ maxDepth: 2 }))
    .map(([args, key, value]) => ({
      ...(typeof args === 'object' && args !== null ? args : {}),
      [`x${key}`]: value,
    }));
  return fc
    .oneof(replaceOne, polluting, extraKey, fc.anything({ maxDepth: 4, withNullPrototype: true }), wrongValue)
    .filter((v) => !schema.safeParse(v).success);
}

/** True once anything has reached Object.prototype (or Array.prototype) through a fuzzed key. */
export const prototypePolluted = (): boolean =>
  POLLUTION_MARK in Object.prototype || POLLUTION_MARK in Array.prototype || POLLUTION_MARK in {};
