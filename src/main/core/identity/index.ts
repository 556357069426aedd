export { createMsalClient, type MsalClient, type MsalClientOptions, type SignedInUser } from './msal-client';
export { checkClockSkew, maxClockSkewMs, toSignInError } from './sign-in-errors';
export { encryptedCachePlugin, readEncryptedCache, tokenCacheKey, writeEncryptedCache } from './token-cache';
