// Signing keys and cookie secrets, generated at first start and kept in the data dir so that a restarted
// IdP still verifies the tokens and sessions it issued before.
import { generateKeyPairSync, randomBytes, randomUUID, type JsonWebKey } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

export interface IdpSecrets {
  /** Private RS256 signing keys (JWK), newest first. */
  signingKeys: JsonWebKey[];
  cookieKeys: string[];
}

function isSecrets(value: unknown): value is IdpSecrets {
  const v = value as Partial<IdpSecrets> | null;
  return !!v && Array.isArray(v.signingKeys) && v.signingKeys.length > 0 && Array.isArray(v.cookieKeys);
}

function createSecrets(): IdpSecrets {
  const { privateKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
  const jwk = privateKey.export({ format: 'jwk' });
  return {
    signingKeys: [{ ...jwk, kid: randomUUID(), alg: 'RS256', use: 'sig' }],
    cookieKeys: [randomBytes(32).toString('base64url')],
  };
}

export function loadOrCreateSecrets(dataDir: string): IdpSecrets {
  mkdirSync(dataDir, { recursive: true });
  const file = join(dataDir, 'idp-secrets.json');
  if (existsSync(file)) {
    const parsed: unknown = JSON.parse(readFileSync(file, 'utf8'));
    if (!isSecrets(parsed)) throw new Error(`IDP_SECRETS_INVALID: ${file} is not a valid secrets file`);
    return parsed;
  }
  const secrets = createSecrets();
  writeFileSync(`${file}.tmp`, JSON.stringify(secrets, null, 2), { mode: 0o600 });
  renameSync(`${file}.tmp`, file);
  return secrets;
}
