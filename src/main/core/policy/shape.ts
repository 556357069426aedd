import { z } from 'zod';
import { PolicyDocument } from './schema';

/**
 * How each policy key is stored where there is no JSON (the Windows registry, an ADMX template): read from
 * the one zod schema, so a key added to the schema is mapped and templated without further code.
 */
export type Shape =
  | { kind: 'boolean' }
  | { kind: 'integer'; min?: number; max?: number }
  | { kind: 'string'; maxLength?: number }
  | { kind: 'enum'; values: string[] }
  | { kind: 'list'; item: 'string' | 'integer' }
  | { kind: 'object'; fields: Field[] }
  /** Anything else (a list of objects, deeper nesting): stored as JSON text. */
  | { kind: 'json' };

export interface Field {
  key: string;
  shape: Shape;
  required: boolean;
  description: string | undefined;
}

type JsonSchema = {
  type?: string | string[];
  enum?: unknown[];
  const?: unknown;
  minimum?: number;
  maximum?: number;
  maxLength?: number;
  items?: JsonSchema;
  properties?: Record<string, JsonSchema>;
  required?: string[];
  oneOf?: JsonSchema[];
  anyOf?: JsonSchema[];
  description?: string;
};

function scalar(schema: JsonSchema): Shape | null {
  if (schema.type === 'boolean') return { kind: 'boolean' };
  if (schema.type === 'integer')
    return {
      kind: 'integer',
      ...(schema.minimum !== undefined ? { min: schema.minimum } : {}),
      ...(schema.maximum !== undefined ? { max: schema.maximum } : {}),
    };
  if (schema.type === 'string' && schema.enum) return { kind: 'enum', values: schema.enum.map(String) };
  if (schema.type === 'string')
    return { kind: 'string', ...(schema.maxLength !== undefined ? { maxLength: schema.maxLength } : {}) };
  return null;
}

function shapeOf(schema: JsonSchema, depth: number): Shape {
  const plain = scalar(schema);
  if (plain) return plain;
  if (schema.type === 'array' && schema.items) {
    const item = scalar(schema.items);
    if (item?.kind === 'integer') return { kind: 'list', item: 'integer' };
    if (item?.kind === 'string' || item?.kind === 'enum') return { kind: 'list', item: 'string' };
    return { kind: 'json' };
  }
  // One level of nesting becomes a registry subkey; a union of objects (kind: 'user' | 'role') one subkey
  // holding the union's fields, the first of which names the variant.
  const variants = schema.oneOf ?? schema.anyOf;
  if (depth === 0 && variants?.every((v) => v.type === 'object' && v.properties)) {
    const fields = new Map<string, Field>();
    for (const variant of variants) {
      for (const field of objectFields(variant, depth + 1)) {
        const seen = fields.get(field.key);
        if (seen?.shape.kind === 'enum' && field.shape.kind === 'enum')
          seen.shape.values = [...new Set([...seen.shape.values, ...field.shape.values])];
        else if (!seen) fields.set(field.key, { ...field, required: false });
      }
    }
    return { kind: 'object', fields: [...fields.values()] };
  }
  if (depth === 0 && schema.type === 'object' && schema.properties)
    return { kind: 'object', fields: objectFields(schema, depth + 1) };
  return { kind: 'json' };
}

function objectFields(schema: JsonSchema, depth: number): Field[] {
  return Object.entries(schema.properties ?? {}).map(([key, property]) => {
    // A literal (kind: 'user') is an enum of one.
    const own =
      property.const !== undefined
        ? ({ kind: 'enum', values: [String(property.const)] } as Shape)
        : shapeOf(property, depth);
    return {
      key,
      shape: own,
      required: schema.required?.includes(key) ?? false,
      description: property.description,
    };
  });
}

/** Every top-level policy key with its storage shape, in schema order. */
export function policyFields(schema: z.ZodType = PolicyDocument): Field[] {
  const json = z.toJSONSchema(schema, { unrepresentable: 'any', io: 'input' }) as JsonSchema;
  return objectFields(json, 0);
}
