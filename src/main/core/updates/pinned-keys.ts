/**
 * The update-signing keys built into the app (Ed25519 public keys, standard base64). A manifest signed by
 * one of these, or by a key the machine policy adds in `updateSigningKeys`, can be installed; nothing a user
 * writes can add one. Whoever builds the release replaces this key with the public half of their own release
 * key (`npm run admin -- keygen`) before building (docs/updates.md).
 */
export const buildPinnedUpdateKeys: readonly string[] = ['PrUswljwWsZTbZqFULtxXsEfULmRYju6eD1W0QIxvl0='];
