import { fromBase64 } from '../crypto';
import { ConversationKeyGrant, createConversationKey, openConversationKey, GrantRejected } from '../envelope';
import { splitEnvelope } from '../envelope/wire';
import { AppError } from '../errors';
import { HubCallError } from '../hub';
import type { HubClient } from '../hub';
import type { LoadedDevice } from '../keys';
import type { Logger } from '../log/logger';
import type { EffectivePolicy } from '../policy';
import type { ProfileStore } from '../store';
import type { UserKeys } from '../user-keys';
import type { Envelope } from '../../../shared/hub-protocol';
import { coverageOf, createConversationKeyStore } from './conversation-keys';
import type { DeviceKeys } from './device-keys';

const maxAttempts = 3;

/** The conversation key (format 2) an envelope names, read from its header without verifying anything. */
export function keyIdOfEnvelope(bytes: Uint8Array): string | null {
  const parts = splitEnvelope(bytes);
  if (!parts || parts.version !== 2) return null;
  const keyId = (parts.header as { keyId?: unknown } | null)?.keyId;
  return typeof keyId === 'string' && /^[0-9a-f]{32}$/.test(keyId) ? keyId : null;
}

/**
 * The conversation keys of one profile (docs/key-design.md): opened from the hub's signed grants as envelopes
 * name them, and made (sealed to every member's verified current user key) when a message is sent.
 */
export function createConversationKeys(deps: {
  store: ProfileStore;
  hub: Pick<HubClient, 'call' | 'state'>;
  device: LoadedDevice;
  keys: DeviceKeys;
  userKeys: UserKeys;
  policy: EffectivePolicy;
  log: Logger;
}) {
  const { hub, device, keys, userKeys, log } = deps;
  const stored = createConversationKeyStore(deps.store);
  // Grants this device could not open yet (its user-key epoch had not arrived): tried again on new keys.
  const waiting = new Map<string, Set<string>>();

  async function accept(grant: ConversationKeyGrant): Promise<boolean> {
    const unknownSender = !keys.has(grant.senderUserId, grant.senderDeviceId);
    if (unknownSender) await keys.refresh([grant.senderUserId]);
    try {
      const { key } = await openConversationKey({
        grant,
        userId: device.userId,
        // A grant of a new device nobody accepted here yet (newDeviceTrust "verify") is not taken: reusing a
        // key it chose would let it read what this device sends.
        signingKeyOf: (userId, deviceId) => keys.trustedKey(userId, deviceId),
        openWithUserKey: (epoch, sealed) => userKeys.openWithUserKey(epoch, sealed),
      });
      stored.add({
        conversationId: grant.conversationId,
        keyId: grant.keyId,
        key,
        coverage: coverageOf(grant.recipients),
        userEpoch: grant.recipients.find((r) => r.userId === device.userId)!.epoch,
        createdAt: grant.createdAt,
      });
      waiting.get(grant.conversationId)?.delete(grant.keyId);
      return true;
    } catch (error) {
      if (!(error instanceof GrantRejected)) throw error;
      if (error.reason === 'awaiting-key') {
        const ids = waiting.get(grant.conversationId) ?? new Set<string>();
        waiting.set(grant.conversationId, ids.add(grant.keyId));
      } else {
        log.warn({ conversationId: grant.conversationId, reason: error.reason }, 'conversation key refused');
      }
      return false;
    }
  }

  async function fetchGrants(conversationId: string, keyIds: string[]): Promise<number> {
    let opened = 0;
    for (let i = 0; i < keyIds.length; i += 500) {
      const { conversationKeys } = await hub.call('GetConversationKeys', {
        conversationId,
        keyIds: keyIds.slice(i, i + 500),
      });
      for (const grant of conversationKeys) {
        // The hub's answer is checked like anything else it says: only the ids asked for, in this conversation.
        if (grant.conversationId !== conversationId || !keyIds.includes(grant.keyId)) continue;
        if (await accept(grant as ConversationKeyGrant)) opened++;
      }
    }
    return opened;
  }

  /** Per conversation, the key ids the format 2 envelopes of a batch name that this device has not stored. */
  function missing(
    envelopes: readonly Pick<Envelope, 'conversationId'>[],
    bytes: Uint8Array[],
  ): Map<string, Set<string>> {
    const ids = new Map<string, Set<string>>();
    for (const [i, e] of envelopes.entries()) {
      const keyId = keyIdOfEnvelope(bytes[i]!);
      if (!keyId || stored.get(e.conversationId, keyId)) continue;
      ids.set(e.conversationId, (ids.get(e.conversationId) ?? new Set()).add(keyId));
    }
    return ids;
  }

  return {
    get: (conversationId: string, keyId: string) => stored.get(conversationId, keyId),

    /** Fetches and opens the grants of the format 2 envelopes of a batch whose keys this device lacks. */
    async fetchMissing(
      envelopes: readonly Pick<Envelope, 'conversationId'>[],
      bytes: Uint8Array[],
    ): Promise<void> {
      for (const [conversationId, ids] of missing(envelopes, bytes))
        await fetchGrants(conversationId, [...ids]);
    },

    /** Whether fetchMissing would ask the hub for any grant. */
    lacksAny: (envelopes: readonly Pick<Envelope, 'conversationId'>[], bytes: Uint8Array[]): boolean =>
      missing(envelopes, bytes).size > 0,

    /** Tries the grants that waited for a user-key epoch again; true if any opened. */
    async retryWaiting(): Promise<boolean> {
      let opened = 0;
      for (const [conversationId, ids] of [...waiting]) {
        if (ids.size > 0) opened += await fetchGrants(conversationId, [...ids]);
      }
      return opened > 0;
    },

    /**
     * The key a new message to these members is encrypted under: a stored key whose grant covers exactly
     * their verified current user keys, or a new one, sealed to them and published (`force` re-reads the
     * user keys, after the hub said they changed). Offline, the newest stored key of the conversation is used
     * and the hub decides when the message is sent.
     */
    async forSending(
      conversationId: string,
      members: string[],
      force = false,
    ): Promise<{ keyId: string; key: Uint8Array }> {
      // A member's user key can change between reading it and publishing the grant: read again, a few times.
      for (let attempt = 1; ; attempt++) {
        try {
          return await keyFor(conversationId, members, force || attempt > 1);
        } catch (error) {
          const stale = error instanceof HubCallError && error.hubCode === 'stale_recipients';
          if (!stale || attempt >= maxAttempts) throw error;
        }
      }
    },

    /** Publishes the grant of a key made offline, before the first message under it goes. */
    async publishPending(conversationId: string, keyId: string): Promise<void> {
      const grant = stored.pendingGrant(conversationId, keyId);
      if (grant === null) return;
      await hub.call('PublishConversationKey', ConversationKeyGrant.parse(JSON.parse(grant)));
      stored.markPublished(conversationId, keyId);
    },

    forgetBelow: (epoch: number) => stored.forgetBelow(epoch),
  };

  async function keyFor(
    conversationId: string,
    members: string[],
    force: boolean,
  ): Promise<{ keyId: string; key: Uint8Array }> {
    const online = hub.state() === 'connected';
    if (!online) {
      const newest = stored.newest(conversationId);
      if (newest) return newest;
    }
    const current = await userKeys.currentKeys(members, force ? 0 : 30_000);
    if (userKeys.heldBack(members).length > 0) {
      // The hub takes only a key sealed to each member's newest user key, and that key comes from a device
      // nobody has accepted here: nothing is sealed to it, so nothing can be sent until it is accepted.
      throw new AppError(
        'device_not_accepted',
        'Someone in this conversation signed in on a new workstation that has not been accepted on this computer. Compare the safety number in contact details and accept it before sending.',
      );
    }
    const recipients = members.flatMap((userId) => {
      const key = current.get(userId);
      return key ? [{ userId, epoch: key.epoch, publicKey: key.publicKey }] : [];
    });
    const mine = recipients.find((r) => r.userId === device.userId);
    if (!mine) {
      throw new AppError(
        'hub_unreachable',
        'Your key for this computer is not ready yet; try again shortly.',
      );
    }
    const coverage = coverageOf(recipients);
    const found = stored.covering(conversationId, coverage);
    if (found) return found;
    const compliance = deps.policy.complianceRecipientKey
      ? { publicKey: fromBase64(deps.policy.complianceRecipientKey, 32)! }
      : null;
    const { key, grant } = await createConversationKey({
      sender: device,
      conversationId,
      recipients,
      compliance,
    });
    if (online) await hub.call('PublishConversationKey', grant);
    stored.add({
      conversationId,
      keyId: grant.keyId,
      key,
      coverage,
      userEpoch: mine.epoch,
      createdAt: grant.createdAt,
      pendingGrant: online ? null : JSON.stringify(grant),
    });
    return { keyId: grant.keyId, key };
  }
}
export type ConversationKeys = ReturnType<typeof createConversationKeys>;
