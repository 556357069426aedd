import { AuthError, InteractionRequiredAuthError, ServerError } from '@azure/msal-node';
import { AppError } from '../errors';

const unreachableCodes = new Set([
  'endpoints_resolution_error',
  'network_error',
  'network_request_failed',
  'openid_config_error',
  'untrusted_authority',
]);

function isNetworkFailure(error: unknown): boolean {
  if (!(error instanceof Error)) return false;
  const code = (error as NodeJS.ErrnoException).code;
  if (
    code &&
    ['ECONNREFUSED', 'ECONNRESET', 'ENOTFOUND', 'ETIMEDOUT', 'EHOSTUNREACH', 'ENETUNREACH'].includes(code)
  ) {
    return true;
  }
  if (error instanceof AuthError && unreachableCodes.has(error.errorCode)) return true;
  return error.cause !== undefined && isNetworkFailure(error.cause);
}

/**
 * Turns what MSAL throws into the few failures a user can act on. `offline` says whether a cached sign-in
 * existed: a silent refresh that cannot reach the IdP then means "expired while offline", not "unreachable".
 */
export function toSignInError(error: unknown, context: { silent: boolean }): AppError {
  if (error instanceof AppError) return error;
  if (isNetworkFailure(error)) {
    return context.silent
      ? new AppError(
          'offline_token_expired',
          'Your sign-in has expired and the hospital sign-in service cannot be reached. Messages on this computer stay available; sign in again when the network is back.',
          { cause: error },
        )
      : new AppError(
          'idp_unreachable',
          'The hospital sign-in service cannot be reached. Check the network and try again.',
          {
            cause: error,
          },
        );
  }
  if (error instanceof ServerError && ['access_denied', 'consent_required'].includes(error.errorCode)) {
    return new AppError(
      'consent_refused',
      'Sign-in was cancelled or permission was refused. Nothing was changed.',
      {
        cause: error,
      },
    );
  }
  if (
    error instanceof InteractionRequiredAuthError ||
    (error instanceof AuthError && error.errorCode === 'no_tokens_found')
  ) {
    return new AppError('sign_in_required', 'Please sign in again.', { cause: error });
  }
  return new AppError(
    'sign_in_failed',
    'Sign-in did not complete. Try again, or contact the IT service desk.',
    {
      cause: error,
    },
  );
}

/** Clocks more than five minutes apart make tokens look expired or not yet valid to one side. */
export const maxClockSkewMs = 5 * 60 * 1000;

export function checkClockSkew(serverTime: Date, localTime: Date): void {
  const skew = localTime.getTime() - serverTime.getTime();
  if (Math.abs(skew) > maxClockSkewMs) {
    const minutes = Math.round(Math.abs(skew) / 60_000);
    throw new AppError(
      'clock_skew',
      `This computer's clock is ${minutes} minutes ${skew > 0 ? 'ahead of' : 'behind'} the hospital's servers, so sign-in cannot be trusted. Ask IT to correct the clock.`,
    );
  }
}
