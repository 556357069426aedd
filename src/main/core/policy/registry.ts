import type { PolicyProblem } from '../../../shared/contract';
import { policyFields, type Field, type Shape } from './shape';

/** Where Group Policy (and Intune's ADMX ingestion) writes the machine policy; only administrators can. */
export const POLICY_KEY = 'HKLM\\SOFTWARE\\Policies\\ClinicalMessenger';

/** One value as `reg.exe query` prints it (winreg's shape): DWORDs in hex, REG_MULTI_SZ items joined by "\0". */
export interface RegistryValue {
  name: string;
  type: string;
  value: string;
}

export interface RegistryListing {
  values: RegistryValue[];
  /** The names of the direct subkeys. */
  subkeys: string[];
}

/** Reads one key under HKLM; null when the key does not exist. Tests inject an in-memory one. */
export interface RegistryReader {
  list(key: string): Promise<RegistryListing | null>;
}

/** The policy key as read, or why it could not be read (which refuses the machine policy). */
export type RegistryPolicy =
  | { source: string; values: RegistryValue[]; subkeys: Record<string, RegistryValue[]> }
  | { source: string; error: string };

/**
 * Reads the policy key and its subkeys (one level: objects such as `idp`). Null when there is no policy key,
 * so the %ProgramData% file is used; a key present but unreadable is returned as an error, never as absent.
 */
export async function readRegistryPolicy(
  reader: RegistryReader,
  key: string = POLICY_KEY,
): Promise<RegistryPolicy | null> {
  try {
    const top = await reader.list(key);
    if (top === null) return null;
    const subkeys: Record<string, RegistryValue[]> = {};
    for (const name of top.subkeys) subkeys[name] = (await reader.list(`${key}\\${name}`))?.values ?? [];
    return { source: key, values: top.values, subkeys };
  } catch (error) {
    return { source: key, error: `cannot be read (${(error as Error).message})` };
  }
}

type Mapped = { ok: true; value: unknown } | { ok: false; message: string };

const TEXT = new Set(['REG_SZ', 'REG_EXPAND_SZ']);

function dword(value: RegistryValue): number | null {
  if (value.type !== 'REG_DWORD' && value.type !== 'REG_QWORD') return null;
  const n = Number.parseInt(value.value.replace(/^0x/i, ''), 16);
  return Number.isSafeInteger(n) ? n : null;
}

function mapValue(shape: Shape, value: RegistryValue): Mapped {
  const wrongType = (wanted: string): Mapped => ({
    ok: false,
    message: `is ${value.type}; it must be ${wanted}`,
  });
  switch (shape.kind) {
    case 'boolean': {
      const n = dword(value);
      if (n === 0 || n === 1) return { ok: true, value: n === 1 };
      return wrongType('a REG_DWORD of 0 or 1');
    }
    case 'integer': {
      const n = dword(value);
      return n === null ? wrongType('a REG_DWORD') : { ok: true, value: n };
    }
    case 'string':
    case 'enum':
      return TEXT.has(value.type) ? { ok: true, value: value.value } : wrongType('a REG_SZ');
    case 'list': {
      if (value.type !== 'REG_MULTI_SZ') return wrongType('a REG_MULTI_SZ (one item a line)');
      const items = value.value.split('\\0').filter((item) => item !== '');
      if (shape.item === 'string') return { ok: true, value: items };
      // Numbers listed one a line; anything that is not a whole number is left for the schema to name.
      return { ok: true, value: items.map((item) => (/^-?\d+$/.test(item.trim()) ? Number(item) : item)) };
    }
    case 'object':
    case 'json': {
      if (!TEXT.has(value.type)) return wrongType('a REG_SZ holding JSON');
      try {
        return { ok: true, value: JSON.parse(value.value) };
      } catch {
        return { ok: false, message: 'is not valid JSON' };
      }
    }
  }
}

/**
 * The values of one key as a JSON object for the schema. Value names are matched exactly (the schema's
 * spelling); an unknown name is passed through so the schema reports it as "not a known setting".
 */
function mapKey(
  fields: Field[],
  values: RegistryValue[],
  path: string,
  problems: PolicyProblem[],
  source: string,
): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const value of values) {
    if (value.name === '(Default)' || value.name === '') continue;
    const field = fields.find((f) => f.key === value.name);
    if (!field) {
      out[value.name] = value.value;
      continue;
    }
    const mapped = mapValue(field.shape, value);
    if (mapped.ok) out[value.name] = mapped.value;
    else problems.push({ file: source, field: `${path}${value.name}`, message: mapped.message });
  }
  return out;
}

/** The registry policy as the JSON document the schema checks, plus any value of the wrong registry type. */
export function registryDocument(policy: Extract<RegistryPolicy, { values: unknown }>): {
  json: Record<string, unknown>;
  problems: PolicyProblem[];
} {
  const fields = policyFields();
  const problems: PolicyProblem[] = [];
  const json = mapKey(fields, policy.values, '', problems, policy.source);
  for (const [name, values] of Object.entries(policy.subkeys)) {
    const field = fields.find((f) => f.key === name);
    if (!field || field.shape.kind !== 'object') {
      problems.push({ file: `${policy.source}\\${name}`, field: name, message: 'is not a known setting' });
      continue;
    }
    // A subkey GPO created but left empty (policy "Not configured" after being set) is no setting at all.
    if (values.length === 0) continue;
    if (json[name] !== undefined) {
      problems.push({
        file: policy.source,
        field: name,
        message: 'is set both as a value and as a subkey; keep the subkey only',
      });
      continue;
    }
    json[name] = mapKey(field.shape.fields, values, `${name}.`, problems, policy.source);
  }
  return { json, problems };
}

/**
 * The real reader, over the `winreg` module (which runs `reg.exe query`). Imported on first use so that
 * Linux and macOS never load it.
 */
export function winregReader(): RegistryReader {
  return {
    async list(key) {
      const { default: Registry } = await import('winreg');
      const [hive, ...rest] = key.split('\\');
      const reg = new Registry({ hive: hive ?? 'HKLM', key: `\\${rest.join('\\')}` });
      const exists = await new Promise<boolean>((resolve, reject) =>
        reg.keyExists((error, found) => (error ? reject(error) : resolve(found))),
      );
      if (!exists) return null;
      const values = await new Promise<RegistryValue[]>((resolve, reject) =>
        reg.values((error, items) =>
          error ? reject(error) : resolve(items.map((i) => ({ name: i.name, type: i.type, value: i.value }))),
        ),
      );
      const subkeys = await new Promise<string[]>((resolve, reject) =>
        reg.keys((error, keys) =>
          error ? reject(error) : resolve(keys.map((k) => k.key.split('\\').pop() ?? '')),
        ),
      );
      return { values, subkeys: subkeys.filter((name) => name !== '') };
    },
  };
}
