import sodiumModule from 'libsodium-wrappers-sumo';

export type Sodium = typeof sodiumModule;

let ready: Promise<Sodium> | null = null;

/**
 * The ready libsodium (sumo build: it has crypto_pwhash and the Ed25519 → public key helpers). The module is
 * imported once and its WASM initialised once; every caller awaits the same promise.
 */
export function sodium(): Promise<Sodium> {
  ready ??= sodiumModule.ready.then(() => sodiumModule);
  return ready;
}
