import { fixFor } from '../../../shared/policy-fix';
import { AppError } from '../errors';
import type { Session } from '../session';
import type { LoadedPolicy } from './load';

/**
 * The error every sign-in meets while the machine policy is refused: it names the policy, the first bad
 * field and the fix. Null when the machine policy is absent or in force.
 */
export function policyRefusal(loaded: LoadedPolicy): AppError | null {
  if (loaded.machine.status !== 'refused') return null;
  const source = loaded.machine.source ?? 'the machine policy';
  const own = loaded.problems.filter((p) => p.file.startsWith(source));
  const first = own[0];
  const more = own.length > 1 ? ` (and ${own.length - 1} more problem${own.length > 2 ? 's' : ''})` : '';
  const advice = first ? fixFor(first) : null;
  const fix = advice ? ` ${advice}.` : '';
  const detail = first
    ? `${first.field === '(file)' ? 'the file' : `"${first.field}"`} ${first.message}${more}.${fix}`
    : 'it cannot be used.';
  return new AppError(
    'policy_invalid',
    `Sign-in is stopped because the hospital policy on this workstation (${source}) cannot be used: ${detail} Contact the IT service desk.`,
  );
}

/**
 * While the machine policy is refused, nobody signs in, resumes a cached sign-in or re-enrols: the app would
 * otherwise run on endpoints and settings the hospital did not set (no compliance copy, no allowlist). The
 * session's sign-in calls are replaced in place, so every holder of the session (handlers, engine) is bound.
 */
export function refuseSignInWhilePolicyRefused(session: Session, loaded: LoadedPolicy): void {
  const refusal = policyRefusal(loaded);
  if (!refusal) return;
  const refuse = (): Promise<never> => Promise.reject(refusal);
  Object.assign(session, {
    signIn: refuse,
    unlockWithSignIn: refuse,
    reenrol: refuse,
    startProfileOver: refuse,
  } satisfies Partial<Session>);
}
