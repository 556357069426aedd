import { HubEvent, HubMethod } from '../../../shared/hub-protocol';
import type { HubClient } from '../hub';
import type { Logger } from '../log/logger';
import type { SignedRevocation } from './signed-revocation';

/**
 * The hub says this workstation's device is revoked. `revocation` is the signed revocation the hub handed
 * over with it, if any, exactly as received (it is verified by the session, never trusted as it comes).
 */
export interface OwnDeviceRevoked {
  deviceId: string;
  /** 'event': the hub pushed DeviceRevoked; 'bind': a (re)connect found the device revoked. */
  via: 'event' | 'bind';
  /** The hub's time of the revocation when it said so (events), otherwise null. */
  revokedAt: string | null;
  revocation: SignedRevocation | null;
}

type RevocationHub = Pick<HubClient, 'on' | 'onBindFailed' | 'boundDeviceId' | 'call'>;

/**
 * Asks the hub for the signed revocation of one of the user's devices (`GetRevocation`, allowed before a
 * device session). Null when the hub has none, or cannot answer now: the caller then treats the revocation as
 * unsigned, which only locks, and asks again on the next connect.
 */
export async function fetchRevocation(
  hub: Pick<HubClient, 'call'>,
  deviceId: string,
  log?: Logger,
): Promise<SignedRevocation | null> {
  try {
    return (await hub.call(HubMethod.GetRevocation, { deviceId })).revocation;
  } catch (error) {
    log?.warn(
      { code: (error as { code?: unknown }).code ?? 'internal' },
      'the signed revocation could not be read',
    );
    return null;
  }
}

/**
 * Calls `handler` when the device bound on this hub client is revoked — told by the hub's `DeviceRevoked`
 * event (with IT's signature when there is one), or found on a reconnect (Hello refused with
 * `device_revoked`) when the event was missed while offline; then the signed revocation is asked for with
 * `GetRevocation`. The same notice is not repeated; a signed one after an unsigned one is told. The session
 * verifies the signature and decides: wipe (signed by IT) or lock. Returns an unsubscribe function.
 */
export function onOwnDeviceRevoked(
  hub: RevocationHub,
  handler: (revoked: OwnDeviceRevoked) => void,
  log?: Logger,
): () => void {
  const told = new Set<string>();
  const fire = (revoked: OwnDeviceRevoked) => {
    const key = `${revoked.deviceId}\n${revoked.revocation?.signature ?? ''}`;
    if (told.has(key)) return;
    told.add(key);
    handler(revoked);
  };
  const offEvent = hub.on(HubEvent.DeviceRevoked, (event) => {
    if (event.deviceId !== hub.boundDeviceId()) return;
    const revocation = event.signature
      ? {
          userId: event.userId,
          deviceId: event.deviceId,
          revokedAt: event.revokedAt,
          signature: event.signature,
        }
      : null;
    fire({ deviceId: event.deviceId, via: 'event', revokedAt: event.revokedAt, revocation });
  });
  const offBind = hub.onBindFailed((failure) => {
    if (failure.error.hubCode !== 'device_revoked') return;
    void fetchRevocation(hub, failure.deviceId, log).then((revocation) =>
      fire({ deviceId: failure.deviceId, via: 'bind', revokedAt: null, revocation }),
    );
  });
  return () => {
    offEvent();
    offBind();
  };
}
