import { closeSync, fstatSync, openSync, readSync } from 'node:fs';
import type { PolicyProblem } from '../../../shared/contract';
import { mergePolicy, type PolicySources } from './merge';
import type { OwnerCheck } from './ownership';
import { registryDocument, type RegistryPolicy } from './registry';
import { PolicyDocument, type EffectivePolicy } from './schema';

export interface PolicyFiles {
  machine: string | null;
  user: string | null;
  /**
   * Who may own the machine file: `rootOwned()` for an installed app on Linux and macOS (machinePolicySource
   * decides). Unset, any owner is accepted: development runs and tests that write their own policy file.
   */
  machineOwner?: OwnerCheck | null;
  /** Windows: the Group Policy key, read before the core starts. When present, the machine file is not read. */
  registry?: RegistryPolicy | null;
}

/** Whether a machine policy was found, where, and whether it could be used (refused stops sign-in). */
export interface MachinePolicyState {
  source: string | null;
  status: 'absent' | 'in-force' | 'refused';
}

export interface LoadedPolicy {
  policy: EffectivePolicy;
  sources: PolicySources;
  /** Files that were present but could not be used; each names the file and the field. */
  problems: PolicyProblem[];
  machine: MachinePolicyState;
}

/** `present`: the file (or key) exists, so the machine policy is managed and must be usable. */
type ReadResult = { document: PolicyDocument; problems: PolicyProblem[]; damaged: boolean; present: boolean };

/** A real policy is a few kilobytes; anything near this is not one, and is not read further. */
export const MAX_POLICY_BYTES = 256 * 1024;
/** The deepest a valid policy nests is 3 ({ idp: { scopes: [ ] } }); deeper is refused before parsing. */
export const MAX_POLICY_DEPTH = 8;

/** Settings that decide where the app connects: a user file names them only beside a usable machine file. */
const ENDPOINTS = ['hubUrl', 'idp', 'gatewayUrl'] as const;

const problem = (file: string, message: string): ReadResult => ({
  document: {},
  problems: [{ file, field: '(file)', message }],
  damaged: true,
  present: true,
});

/** At most `limit + 1` bytes of a regular file, so an oversized or endless one is never read whole. */
function readCapped(file: string, limit: number, ownerCheck: OwnerCheck | null): Buffer | string {
  const fd = openSync(file, 'r');
  try {
    const stat = fstatSync(fd);
    if (stat.isDirectory()) return 'cannot be read (EISDIR: a folder, not a file)';
    if (!stat.isFile()) return 'is not a regular file';
    const untrusted = ownerCheck?.({ fd, path: file });
    if (untrusted) return untrusted;
    const buffer = Buffer.alloc(limit + 1);
    let length = 0;
    while (length < buffer.length) {
      const n = readSync(fd, buffer, length, buffer.length - length, null);
      if (n === 0) break;
      length += n;
    }
    return buffer.subarray(0, length);
  } finally {
    closeSync(fd);
  }
}

/** The deepest nesting of arrays and objects outside strings, counted without parsing. */
function nestingDepth(text: string): number {
  let depth = 0;
  let deepest = 0;
  let inString = false;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (inString) {
      if (c === 0x5c) i++;
      else if (c === 0x22) inString = false;
    } else if (c === 0x22) inString = true;
    else if (c === 0x7b || c === 0x5b) deepest = Math.max(deepest, ++depth);
    else if (c === 0x7d || c === 0x5d) depth--;
  }
  return deepest;
}

/**
 * Reads one policy document. A missing file is an empty document; a bad one (unreadable, oversized, too
 * deeply nested, not UTF-8 JSON, or outside the schema) is rejected whole and marked damaged.
 */
export function readPolicyFile(file: string | null, ownerCheck: OwnerCheck | null = null): ReadResult {
  if (file === null) return { document: {}, problems: [], damaged: false, present: false };
  let bytes: Buffer;
  try {
    const read = readCapped(file, MAX_POLICY_BYTES, ownerCheck);
    if (typeof read === 'string') return problem(file, read);
    bytes = read;
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === 'ENOENT') return { document: {}, problems: [], damaged: false, present: false };
    return problem(file, `cannot be read (${code ?? 'error'})`);
  }
  if (bytes.length > MAX_POLICY_BYTES) return problem(file, `is larger than ${MAX_POLICY_BYTES / 1024} KiB`);
  let text: string;
  try {
    text = new TextDecoder('utf-8', { fatal: true, ignoreBOM: false }).decode(bytes);
  } catch {
    return problem(file, 'is not UTF-8 text');
  }
  if (nestingDepth(text) > MAX_POLICY_DEPTH)
    return problem(file, `nests deeper than ${MAX_POLICY_DEPTH} levels`);
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (error) {
    return problem(file, `is not valid JSON: ${(error as Error).message}`);
  }
  return checkDocument(file, json);
}

/** A parsed document against the schema: all of it, or none of it with each bad field named. */
function checkDocument(file: string, json: unknown, earlier: PolicyProblem[] = []): ReadResult {
  const parsed = PolicyDocument.safeParse(json);
  if (parsed.success && earlier.length === 0)
    return { document: parsed.data, problems: [], damaged: false, present: true };
  const problems = (parsed.success ? [] : parsed.error.issues).flatMap((issue): PolicyProblem[] => {
    const base = issue.path.map(String).join('.');
    if (issue.code === 'unrecognized_keys') {
      return issue.keys.map((key) => ({
        file,
        field: base ? `${base}.${key}` : key,
        message: 'is not a known setting',
      }));
    }
    return [{ file, field: base || '(root)', message: issue.message }];
  });
  return { document: {}, problems: [...earlier, ...problems], damaged: true, present: true };
}

/** The Windows Group Policy key, held to the same schema as the file. */
function readRegistry(registry: RegistryPolicy): ReadResult {
  if ('error' in registry) return problem(registry.source, registry.error);
  const { json, problems } = registryDocument(registry);
  return checkDocument(registry.source, json, problems);
}

/**
 * The effective policy: machine-wide policy (the Windows Group Policy key, else the file) over the user's
 * settings over defaults. A malformed file is ignored entirely (its problems reported), so the app runs on the
 * safe defaults rather than on half a policy. Fail closed: a machine policy that is present but unusable
 * (unreadable, malformed, or a file a staff account could have written) is `refused`, which stops sign-in
 * (policy/gate.ts); and the user's file may still tighten settings but never names the hub, the IdP or the
 * gateway, so a damaged push cannot hand the connection to the user.
 */
export function loadPolicy(files: PolicyFiles): LoadedPolicy {
  // Group Policy wins whole: a file beside it (which a staff account may have planted) is not read at all.
  const machineSource = files.registry ? files.registry.source : files.machine;
  const machine = files.registry
    ? readRegistry(files.registry)
    : readPolicyFile(files.machine, files.machineOwner ?? null);
  const user = readPolicyFile(files.user);
  const userDocument = { ...user.document };
  const withheld: PolicyProblem[] = [];
  if (machine.damaged && files.user !== null) {
    for (const key of ENDPOINTS) {
      if (userDocument[key] === undefined) continue;
      delete userDocument[key];
      withheld.push({
        file: files.user,
        field: key,
        message: `is ignored while the machine policy (${machineSource}) cannot be used`,
      });
    }
  }
  const { policy, sources } = mergePolicy(machine.document, userDocument);
  return {
    policy,
    sources,
    problems: [...machine.problems, ...user.problems, ...withheld],
    machine: {
      source: machine.present ? machineSource : null,
      status: machine.damaged ? 'refused' : machine.present ? 'in-force' : 'absent',
    },
  };
}
