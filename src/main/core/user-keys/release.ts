import { randomUUID } from 'node:crypto';
import { z } from 'zod';
import { fromBase64, lengthPrefixed, sodium, toBase64, utf8 } from '../crypto';
import { parseJsonBytes } from '../envelope/wire';
import { ed25519Verify } from '../envelope/ed25519';
import { AppError } from '../errors';
import type { LoadedDevice } from '../keys';
import type { HubRequests } from '../../../shared/hub-protocol';
import { UserKeyEpochSecret } from './keyring';

/** Signing domain of a release from one of the user's devices to another (docs/key-design.md). */
export const keyReleaseDomain = 'clinical-messenger/key-release/v1';

/** What travels through the hub's per-device mailbox; the hub can read none of `sealed`. */
export type KeyReleaseMessage = HubRequests['PostKeyRelease'];

const Contents = z.object({
  v: z.literal(1),
  userId: z.string(),
  toDeviceId: z.string(),
  epochs: z.array(UserKeyEpochSecret).min(1).max(10_000),
});

function releaseBytes(userId: string, r: Omit<KeyReleaseMessage, 'signature'>, sealed: Uint8Array) {
  return lengthPrefixed(keyReleaseDomain, [
    userId,
    r.releaseId,
    r.fromDeviceId,
    r.toDeviceId,
    r.createdAt,
    sealed,
  ]);
}

function refused(why: string): AppError {
  return new AppError(
    'key_release_refused',
    `A key release was refused: ${why}. Nothing was decrypted with it.`,
  );
}

/** Seals user-key epochs to another device of the same user and signs the release with this device. */
export async function sealKeyRelease(input: {
  from: Pick<LoadedDevice, 'userId' | 'deviceId' | 'sign'>;
  to: { deviceId: string; encryptionPublicKey: Uint8Array };
  epochs: UserKeyEpochSecret[];
}): Promise<KeyReleaseMessage> {
  const s = await sodium();
  const contents = { v: 1, userId: input.from.userId, toDeviceId: input.to.deviceId, epochs: input.epochs };
  const sealed = s.crypto_box_seal(utf8(JSON.stringify(contents)), input.to.encryptionPublicKey);
  const unsigned = {
    releaseId: randomUUID(),
    toDeviceId: input.to.deviceId,
    fromDeviceId: input.from.deviceId,
    createdAt: new Date().toISOString(),
    sealed: toBase64(sealed),
  };
  const signature = input.from.sign(releaseBytes(input.from.userId, unsigned, sealed));
  return { ...unsigned, signature: toBase64(signature) };
}

/**
 * Opens a release addressed to this device: it must be signed by a verified device of this same user
 * (`signingKeyOf`, null for anything else), name this device inside and outside the sealed box, and carry
 * well-formed epochs. Throws `key_release_refused`.
 */
export function openKeyRelease(
  release: KeyReleaseMessage,
  me: Pick<LoadedDevice, 'userId' | 'deviceId' | 'openSealed'>,
  signingKeyOf: (deviceId: string) => Uint8Array | null,
): UserKeyEpochSecret[] {
  if (release.toDeviceId !== me.deviceId) throw refused('it is addressed to another device');
  const signer = signingKeyOf(release.fromDeviceId);
  if (!signer) throw refused('it is not from a known device of yours');
  const sealed = fromBase64(release.sealed);
  const signature = fromBase64(release.signature, 64);
  if (!sealed || !signature || !ed25519Verify(signer, releaseBytes(me.userId, release, sealed), signature)) {
    throw refused('its signature does not verify');
  }
  let opened: Uint8Array;
  try {
    opened = me.openSealed(sealed);
  } catch {
    throw refused('it is not sealed to this device');
  }
  const contents = Contents.safeParse(parseJsonBytes(opened));
  opened.fill(0);
  if (!contents.success) throw refused('its contents are not in a known form');
  if (contents.data.userId !== me.userId || contents.data.toDeviceId !== me.deviceId) {
    throw refused('it names another user or device');
  }
  return contents.data.epochs;
}
