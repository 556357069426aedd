import { randomUUID } from 'node:crypto';
import sodiumModule from 'libsodium-wrappers-sumo';
import type { LoadedDevice } from '../../../src/main/core/keys';
import type { HubMetadata, MessagePayload, SealedEnvelope, SenderKey } from '../../../src/main/core/envelope';
import type { WorkerDeviceSecrets } from '../../../src/main/core/envelope';

/** A device with real libsodium key pairs that implements LoadedDevice without the OS keychain. */
export interface TestDevice extends LoadedDevice {
  /** For the open pool (what loadDeviceSecretsForWorker returns for a keychain device). */
  workerSecrets(): WorkerDeviceSecrets;
}

export async function testDevice(userId = `user-${randomUUID()}`): Promise<TestDevice> {
  await sodiumModule.ready;
  const s = sodiumModule;
  const signing = s.crypto_sign_keypair();
  const encryption = s.crypto_box_keypair();
  const deviceId = randomUUID();
  return {
    profileId: randomUUID(),
    userId,
    deviceId,
    signingPublicKey: signing.publicKey,
    encryptionPublicKey: encryption.publicKey,
    createdAt: new Date().toISOString(),
    sign: (bytes) => s.crypto_sign_detached(bytes, signing.privateKey),
    openSealed: (sealed) => s.crypto_box_seal_open(sealed, encryption.publicKey, encryption.privateKey),
    workerSecrets: () => ({
      userId,
      deviceId,
      encryptionPublicKey: encryption.publicKey,
      encryptionSecretKey: encryption.privateKey.slice(),
    }),
  };
}

/** A directory with current members (and optionally former ones) for the senderKey callback. */
export function directory(
  members: LoadedDevice[],
  formerMembers: LoadedDevice[] = [],
): (userId: string, deviceId: string) => SenderKey | null {
  const table = new Map<string, SenderKey>();
  for (const d of members)
    table.set(`${d.userId}/${d.deviceId}`, { signingPublicKey: d.signingPublicKey, currentMember: true });
  for (const d of formerMembers) {
    table.set(`${d.userId}/${d.deviceId}`, { signingPublicKey: d.signingPublicKey, currentMember: false });
  }
  return (userId, deviceId) => table.get(`${userId}/${deviceId}`) ?? null;
}

export function hubFor(sealed: SealedEnvelope, seq = 1): HubMetadata {
  return {
    conversationId: sealed.header.conversationId,
    envelopeId: sealed.header.envelopeId,
    senderUserId: sealed.header.senderUserId,
    senderDeviceId: sealed.header.senderDeviceId,
    seq,
    serverTime: new Date().toISOString(),
  };
}

export const patientName = 'Bartholomew Quistgaard';
export const patientMrn = 'MRN-99812734';
export const secretText = 'Potassium 6.9 mmol/L, repeat ECG now and page renal registrar';

export function textPayload(text = secretText): MessagePayload {
  return {
    v: 1,
    kind: 'text',
    text,
    urgent: true,
    ackRequired: true,
    patient: { mrn: patientMrn, name: patientName },
  };
}

export function documentPayload(): MessagePayload {
  return {
    v: 1,
    kind: 'document',
    text: 'Chest X-ray report attached',
    urgent: false,
    ackRequired: false,
    patient: { mrn: patientMrn, name: patientName },
    document: {
      cid: 'bafybeigdyrzt5sfp7udm7hu76uh7y26nf3efuylqabf3oclgtqy55fbzdi',
      fileKey: Buffer.alloc(32, 7).toString('base64'),
      sha256: 'a'.repeat(64),
      size: 123456,
      mediaType: 'application/pdf',
      fileName: 'quistgaard-cxr.pdf',
    },
  };
}
