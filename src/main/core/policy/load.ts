import { readFileSync } from 'node:fs';
import type { PolicyProblem } from '../../../shared/contract';
import { mergePolicy, type PolicySources } from './merge';
import { PolicyDocument, type EffectivePolicy } from './schema';

export interface LoadedPolicy {
  policy: EffectivePolicy;
  sources: PolicySources;
  /** Files that were present but could not be used; each names the file and the field. */
  problems: PolicyProblem[];
}

type ReadResult = { document: PolicyDocument; problems: PolicyProblem[] };

/** Reads one policy document. A missing file is an empty document; a bad one is rejected whole. */
export function readPolicyFile(file: string | null): ReadResult {
  if (file === null) return { document: {}, problems: [] };
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === 'ENOENT') return { document: {}, problems: [] };
    return {
      document: {},
      problems: [{ file, field: '(file)', message: `cannot be read (${code ?? 'error'})` }],
    };
  }
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (error) {
    return {
      document: {},
      problems: [{ file, field: '(file)', message: `is not valid JSON: ${(error as Error).message}` }],
    };
  }
  const parsed = PolicyDocument.safeParse(json);
  if (parsed.success) return { document: parsed.data, problems: [] };
  const problems = parsed.error.issues.flatMap((issue): PolicyProblem[] => {
    const base = issue.path.join('.');
    if (issue.code === 'unrecognized_keys') {
      return issue.keys.map((key) => ({
        file,
        field: base ? `${base}.${key}` : key,
        message: 'is not a known setting',
      }));
    }
    return [{ file, field: base || '(root)', message: issue.message }];
  });
  return { document: {}, problems };
}

/**
 * The effective policy: machine-wide file over the user's settings over defaults. A malformed file is
 * ignored entirely (its problems reported), so the app runs on the safe defaults rather than on half a policy.
 */
export function loadPolicy(files: { machine: string | null; user: string | null }): LoadedPolicy {
  const machine = readPolicyFile(files.machine);
  const user = readPolicyFile(files.user);
  const { policy, sources } = mergePolicy(machine.document, user.document);
  return { policy, sources, problems: [...machine.problems, ...user.problems] };
}
