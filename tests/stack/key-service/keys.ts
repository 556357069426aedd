// The service's own key pairs, generated at first start and kept in the data dir so that a restarted service
// still opens the deposits sealed to its release key and signs with the key the machine policy pins.
import { existsSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { z } from 'zod';
import { fromBase64, sodium, toBase64 } from '../../../src/main/core/crypto';

export interface ServiceKeys {
  /** X25519: deposits are sealed to it. */
  releasePublicKey: Uint8Array;
  releaseSecretKey: Uint8Array;
  /** Ed25519: releases and notices are signed by it. */
  signingPublicKey: Uint8Array;
  signingSecretKey: Uint8Array;
}

const Base64 = z.base64();
const KeysFile = z.object({
  releasePublicKey: Base64,
  releaseSecretKey: Base64,
  signingPublicKey: Base64,
  signingSecretKey: Base64,
});

export async function loadOrCreateServiceKeys(dataDir: string): Promise<ServiceKeys> {
  const s = await sodium();
  const file = join(dataDir, 'service-keys.json');
  if (existsSync(file)) {
    const parsed = KeysFile.safeParse(JSON.parse(readFileSync(file, 'utf8')));
    const releasePublicKey =
      parsed.data && fromBase64(parsed.data.releasePublicKey, s.crypto_box_PUBLICKEYBYTES);
    const releaseSecretKey =
      parsed.data && fromBase64(parsed.data.releaseSecretKey, s.crypto_box_SECRETKEYBYTES);
    const signingPublicKey =
      parsed.data && fromBase64(parsed.data.signingPublicKey, s.crypto_sign_PUBLICKEYBYTES);
    const signingSecretKey =
      parsed.data && fromBase64(parsed.data.signingSecretKey, s.crypto_sign_SECRETKEYBYTES);
    if (!releasePublicKey || !releaseSecretKey || !signingPublicKey || !signingSecretKey) {
      throw new Error(`KEY_SERVICE_KEYS_INVALID: ${file} is not a valid keys file`);
    }
    return { releasePublicKey, releaseSecretKey, signingPublicKey, signingSecretKey };
  }
  const release = s.crypto_box_keypair();
  const signing = s.crypto_sign_keypair();
  const keys: ServiceKeys = {
    releasePublicKey: release.publicKey,
    releaseSecretKey: release.privateKey,
    signingPublicKey: signing.publicKey,
    signingSecretKey: signing.privateKey,
  };
  const text = JSON.stringify(
    Object.fromEntries(Object.entries(keys).map(([name, bytes]) => [name, toBase64(bytes)])),
    null,
    2,
  );
  writeFileSync(`${file}.tmp`, text, { mode: 0o600 });
  renameSync(`${file}.tmp`, file);
  return keys;
}
