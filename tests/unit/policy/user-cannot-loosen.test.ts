// Issue 16, "user settings unable to loosen anything", for every key the schema has (including keys added
// later): WARD3B-PC01 has a machine policy that sets every key. Dr Asha Rao's own settings.json tries every
// other value of every key (each switch flipped, each number at both ends of its range, each choice, every
// address and key swapped for a rogue one). Only the five "tighten" settings ever come from her file, and
// only when stricter. A new key a user's file could set fails here until it is given a rule.
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadPolicy, type EffectivePolicy } from '../../../src/main/core/policy';
import { stricterPrivacy } from '../../../src/main/core/policy/merge';
import { policyFields, type Shape } from '../../../src/main/core/policy/shape';
import { exampleValue } from '../../../tools/policy-templates';

const dir = mkdtempSync(join(tmpdir(), 'cm-policy-loosen-'));
let n = 0;
const file = (content: unknown): string => {
  const path = join(dir, `p-${n++}.json`);
  writeFileSync(path, JSON.stringify(content));
  return path;
};

const fields = policyFields();
const machineDoc = Object.fromEntries(
  fields.map((f) => [f.key, exampleValue(f.key)]).filter(([, v]) => v !== null),
);
const machine = file(machineDoc);

const rogueKey = Buffer.alloc(32, 7).toString('base64');
/** The same value pointed somewhere else: rogue hosts, a rogue key. */
const rogue = (value: unknown): unknown => {
  if (typeof value === 'string')
    return /^[A-Za-z0-9+/]{43}=$/.test(value)
      ? rogueKey
      : value.replace(/hospital\.example/g, 'rogue.example');
  if (Array.isArray(value)) return value.length ? value.map(rogue) : value;
  if (value && typeof value === 'object')
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, rogue(v)]));
  return value;
};

function attempts(key: string, shape: Shape): unknown[] {
  switch (shape.kind) {
    case 'boolean':
      return [true, false];
    case 'integer':
      return [shape.min ?? 0, shape.max ?? 1_000_000];
    case 'enum':
      return shape.values;
    default: {
      const value = rogue(exampleValue(key));
      return value === null ? [] : [value];
    }
  }
}

/** The settings a user may set, each with what "at least as strict" means. */
const tighten: Partial<Record<keyof EffectivePolicy, (user: never, machine: never) => boolean>> = {
  idleLockMinutes: (u: number, m: number) => u <= m,
  retentionDays: (u: number, m: number) => u <= m,
  notificationPrivacy: (
    u: EffectivePolicy['notificationPrivacy'],
    m: EffectivePolicy['notificationPrivacy'],
  ) => stricterPrivacy(u, m) === u,
  listPreviews: (u: boolean, m: boolean) => !u || m,
  saveToDiskAllowed: (u: boolean, m: boolean) => !u || m,
};

describe('a user setting never loosens a machine policy', () => {
  const machineOnly = loadPolicy({ machine, user: null });

  it('the machine policy used here sets every key and is in force', () => {
    expect(machineOnly.problems).toEqual([]);
    expect(Object.keys(machineDoc)).toEqual(fields.map((f) => f.key));
  });

  const cases = fields.flatMap((f) => attempts(f.key, f.shape).map((v) => [f.key, v] as const));
  it.each(cases)('%s = %j in the user file', (key, value) => {
    const loaded = loadPolicy({ machine, user: file({ [key]: value }) });
    // The user's file was read (an invalid one would prove nothing).
    expect(loaded.problems).toEqual([]);
    const k = key as keyof EffectivePolicy;
    const rule = tighten[k];
    if (loaded.sources[k] === 'user') {
      expect(rule, `${key} came from the user's file but has no tighten rule`).toBeDefined();
      expect(rule!(loaded.policy[k] as never, machineOnly.policy[k] as never)).toBe(true);
    } else {
      expect(loaded.policy[k]).toEqual(machineOnly.policy[k]);
    }
  });
});
