import {
  LogLevel,
  PublicClientApplication,
  type AccountInfo,
  type AuthenticationResult,
  type ICachePlugin,
} from '@azure/msal-node';
import { AppError } from '../errors';
import { msalNetwork } from '../network/msal-network';
import type { Logger } from '../log/logger';
import type { IdpSettings } from '../policy/schema';
import { toSignInError } from './sign-in-errors';

/** Who signed in, from the ID token's claims (Azure AD's names; the same from the test IdP). */
export interface SignedInUser {
  userId: string;
  username: string;
  displayName: string;
  roles: string[];
  department: string | null;
  homeAccountId: string;
}

export interface MsalClient {
  /** Opens the system browser on the IdP; resolves when the loopback redirect brought a code back. */
  signInInteractive(options?: { loginHint?: string }): Promise<SignedInUser>;
  /** A valid access token for the hub, refreshed silently when needed. */
  accessToken(homeAccountId: string): Promise<string>;
  /** The cached account of this user, if any (a restart then needs no new login). */
  findAccount(userId: string): Promise<string | null>;
  signOut(homeAccountId: string): Promise<void>;
  /** The serialized cache, to hand a first sign-in over to the profile it creates. */
  serializeCache(): string;
}

export interface MsalClientOptions {
  idp: IdpSettings;
  openBrowser: (url: string) => Promise<void>;
  cachePlugin?: ICachePlugin;
  log: Logger;
}

const successPage =
  '<!doctype html><meta charset="utf-8"><title>Signed in</title><p style="font:16px system-ui">You are signed in to Clinical Messenger. You can close this tab.</p>';
const errorPage =
  '<!doctype html><meta charset="utf-8"><title>Sign-in failed</title><p style="font:16px system-ui">Sign-in did not complete. Return to Clinical Messenger to try again.</p>';

function userFrom(result: AuthenticationResult): SignedInUser {
  const account = result.account;
  const claims = (result.idTokenClaims ?? {}) as Record<string, unknown>;
  const userId = typeof claims.oid === 'string' ? claims.oid : account?.localAccountId;
  if (!account || !userId)
    throw new AppError('sign_in_failed', 'The sign-in service did not say who signed in.');
  return {
    userId,
    username: account.username,
    displayName: account.name ?? account.username,
    roles: Array.isArray(claims.roles) ? claims.roles.filter((r): r is string => typeof r === 'string') : [],
    department: typeof claims.department === 'string' ? claims.department : null,
    homeAccountId: account.homeAccountId,
  };
}

/** The same code for Azure AD and the local IdP: only the policy's authority and client id differ. */
export function createMsalClient(options: MsalClientOptions): MsalClient {
  const { idp, log } = options;
  const network = msalNetwork();
  /** A proxy that failed explains a failed sign-in better than "the sign-in service cannot be reached". */
  const failure = (error: unknown, context: { silent: boolean }): AppError =>
    network.proxyFailure() ?? toSignInError(error, context);
  const pca = new PublicClientApplication({
    auth: {
      clientId: idp.clientId,
      authority: idp.authority,
      knownAuthorities: idp.knownAuthorities ?? [],
    },
    ...(options.cachePlugin ? { cache: { cachePlugin: options.cachePlugin } } : {}),
    system: {
      networkClient: network,
      loggerOptions: {
        piiLoggingEnabled: false,
        logLevel: LogLevel.Warning,
        loggerCallback: (_level, message, containsPii) => {
          if (!containsPii) log.debug({ msal: message.slice(0, 300) }, 'msal');
        },
      },
    },
  });
  const scopes = idp.scopes;
  const idpOrigin = new URL(idp.authority).origin;
  // The system browser is only ever sent to the configured sign-in service.
  const openBrowser = async (url: string): Promise<void> => {
    if (new URL(url).origin !== idpOrigin) {
      throw new AppError(
        'sign_in_failed',
        'Refused to open a sign-in page outside the hospital sign-in service.',
      );
    }
    await options.openBrowser(url);
  };

  const account = async (homeAccountId: string): Promise<AccountInfo | null> =>
    pca.getTokenCache().getAccountByHomeId(homeAccountId);

  return {
    async signInInteractive({ loginHint } = {}) {
      try {
        const result = await pca.acquireTokenInteractive({
          scopes,
          openBrowser,
          successTemplate: successPage,
          errorTemplate: errorPage,
          ...(loginHint ? { loginHint } : {}),
        });
        return userFrom(result);
      } catch (error) {
        throw failure(error, { silent: false });
      }
    },
    async accessToken(homeAccountId) {
      const found = await account(homeAccountId);
      if (!found) throw new AppError('sign_in_required', 'Please sign in again.');
      try {
        return (await pca.acquireTokenSilent({ account: found, scopes })).accessToken;
      } catch (error) {
        throw failure(error, { silent: true });
      }
    },
    async findAccount(userId) {
      const accounts = await pca.getTokenCache().getAllAccounts();
      return (
        accounts.find((a) => a.localAccountId === userId || a.idTokenClaims?.oid === userId)?.homeAccountId ??
        null
      );
    },
    async signOut(homeAccountId) {
      const found = await account(homeAccountId);
      if (found) await pca.getTokenCache().removeAccount(found);
    },
    serializeCache: () => pca.getTokenCache().serialize(),
  };
}
