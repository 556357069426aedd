import { randomUUID } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { createOpenPool, sealEnvelope } from '../../../src/main/core/envelope';
import { enrolDevice, loadDevice, loadDeviceSecretsForWorker } from '../../../src/main/core/keys';
import { testKeychain } from '../store/helpers';
import { directory, hubFor, testDevice, textPayload } from './helpers';

describe('device secrets for the open pool (real OS keychain)', () => {
  it('hands the pool only the X25519 pair of the enrolled device, and the pool opens what was sealed to it', async () => {
    const { keychain } = testKeychain();
    const profileId = randomUUID();
    await enrolDevice(keychain, { profileId, userId: 'dr-keychain' });
    const me = await loadDevice(keychain, profileId);
    const secrets = await loadDeviceSecretsForWorker(keychain, profileId);
    expect(Object.keys(secrets).sort()).toEqual([
      'deviceId',
      'encryptionPublicKey',
      'encryptionSecretKey',
      'userId',
    ]);
    expect(secrets.deviceId).toBe(me.deviceId);
    expect(secrets.encryptionPublicKey).toEqual(me.encryptionPublicKey);

    const alice = await testDevice('alice');
    const sealed = await sealEnvelope({
      sender: alice,
      conversationId: 'c',
      envelopeId: randomUUID(),
      clientTime: new Date().toISOString(),
      prev: [],
      payload: textPayload(),
      recipients: [{ userId: me.userId, deviceId: me.deviceId, encryptionPublicKey: me.encryptionPublicKey }],
    });
    const pool = createOpenPool({ workers: 1, device: secrets });
    secrets.encryptionSecretKey.fill(0); // the caller's copy can go once the pool exists
    try {
      const [result] = await pool.open([{ bytes: sealed.bytes, hub: hubFor(sealed) }], directory([alice]));
      expect(result!.ok && result!.value.payload).toEqual(textPayload());
    } finally {
      await pool.close();
    }
  });

  it('fails like loadDevice when the device has no keys', async () => {
    const { keychain } = testKeychain();
    await expect(loadDeviceSecretsForWorker(keychain, randomUUID())).rejects.toMatchObject({
      code: 'key_missing',
    });
  });
});
