import type { PolicyProblem } from './contract';

/**
 * What IT does about one problem with the machine policy. Read and ownership problems ("(file)") that
 * already say what IT must do are left as they are.
 */
export function fixFor(problem: PolicyProblem): string | null {
  if (problem.message.includes('IT must')) return null;
  if (problem.field === '(file)')
    return 'IT must replace it with a valid policy (on Linux and macOS, owned by root) and restart the app';
  return `IT must correct "${problem.field}" and push the policy again`;
}
