/** The most a conversation's draft keeps (the contract and the profile store refuse more). Free of zod for the renderer. */
export const DRAFT_MAX_CHARS = 20_000;
