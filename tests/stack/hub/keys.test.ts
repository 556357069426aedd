// Protocol version 2: the user-key directory (epochs in order), conversation keys and the coverage rule that
// keeps an envelope from leaving out a current member, and the own-device key-release mailbox.
import { randomBytes, randomUUID } from 'node:crypto';
import type { HubConnection } from '@microsoft/signalr';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  HubEvent,
  HubMethod,
  parseHubError,
  type HubRequests,
  type MemberEpoch,
} from '../../../src/shared/hub-protocol';
import {
  b64,
  call,
  connect,
  deviceSession,
  nextEvent,
  recordEvents,
  refusal,
  startStack,
  type Stack,
} from './hub-test-kit';

type Session = Awaited<ReturnType<typeof deviceSession>>;

function userKey(from: Session, epoch: number): HubRequests['PublishUserKey'] {
  return {
    epoch,
    publicKey: b64(32),
    createdAt: new Date().toISOString(),
    signerDeviceId: from.deviceId,
    signature: b64(64),
  };
}

const newKeyId = () => randomBytes(16).toString('hex');

function grant(
  from: Session,
  conversationId: string,
  recipients: [userId: string, epoch: number][],
  keyId = newKeyId(),
): HubRequests['PublishConversationKey'] {
  return {
    conversationId,
    keyId,
    senderDeviceId: from.deviceId,
    createdAt: new Date().toISOString(),
    recipients: recipients.map(([userId, epoch]) => ({ userId, epoch, sealedKey: b64(80) })),
    compliance: null,
    signature: b64(64),
  };
}

function envelope(from: Session, conversationId: string, keyId?: string): HubRequests['Send'] {
  return {
    envelopeId: randomUUID(),
    conversationId,
    senderDeviceId: from.deviceId,
    payload: b64(48),
    ...(keyId ? { keyId } : {}),
  };
}

/** The `current` list a call was refused with; fails unless the refusal is stale_recipients. */
async function staleCurrent(connection: HubConnection, method: string, arg: unknown): Promise<MemberEpoch[]> {
  try {
    await connection.invoke(method, arg);
  } catch (err) {
    const body = parseHubError(err);
    expect(body?.code).toBe('stale_recipients');
    expect(body?.current).toBeDefined();
    return body!.current!;
  }
  throw new Error(`${method} was accepted but should have been refused`);
}

/** The expected `current` list: every member, by user id. */
function members(...entries: [userId: string, epoch: number | null][]): MemberEpoch[] {
  return entries
    .map(([userId, epoch]) => ({ userId, epoch }))
    .sort((a, b) => (a.userId < b.userId ? -1 : a.userId > b.userId ? 1 : 0));
}

describe('hub keys (protocol version 2)', () => {
  let stack: Stack;
  let asha: Session;
  let samuel: Session;
  let meera: Session;
  let lena: Session;

  beforeAll(async () => {
    stack = await startStack();
    asha = await deviceSession(stack, 'dr.asha.rao');
    samuel = await deviceSession(stack, 'dr.samuel.okafor');
    meera = await deviceSession(stack, 'opd.meera.nair');
    lena = await deviceSession(stack, 'dr.lena.fischer');
  }, 180_000);
  afterAll(async () => {
    await Promise.all([asha, samuel, meera, lena].filter(Boolean).map((s) => s.connection.stop()));
    await stack?.close();
  });

  it('publishes user keys in epoch order, idempotently, and announces each new epoch', async () => {
    await call(asha.connection, HubMethod.CreateConversation, { kind: 'direct', memberIds: [samuel.userId] });
    expect((await call(asha.connection, HubMethod.GetUserKeys, { userIds: [asha.userId] })).userKeys).toEqual(
      [],
    );

    // Only exactly the next epoch (1 when there is none) is accepted.
    expect(await refusal(asha.connection, HubMethod.PublishUserKey, userKey(asha, 2))).toBe('conflict');
    expect(await refusal(asha.connection, HubMethod.PublishUserKey, userKey(asha, 0))).toBe('invalid');
    expect(
      await refusal(asha.connection, HubMethod.PublishUserKey, { ...userKey(asha, 1), publicKey: 'x' }),
    ).toBe('invalid');
    // Signed by the bound device only.
    expect(
      await refusal(asha.connection, HubMethod.PublishUserKey, {
        ...userKey(asha, 1),
        signerDeviceId: samuel.deviceId,
      }),
    ).toBe('forbidden');

    const peerSaw = nextEvent(samuel.connection, HubEvent.UserKeyChanged, (e) => e.userId === asha.userId);
    const first = userKey(asha, 1);
    const published = await call(asha.connection, HubMethod.PublishUserKey, first);
    expect(published.created).toBe(true);
    expect(published.userKey).toMatchObject({ ...first, userId: asha.userId });
    expect(await peerSaw).toEqual({ userId: asha.userId, epoch: 1, at: published.userKey.publishedAt });

    // The same record again (a retry) returns the stored one; other content under that epoch is a conflict.
    expect(await call(asha.connection, HubMethod.PublishUserKey, first)).toEqual({
      ...published,
      created: false,
    });
    expect(await refusal(asha.connection, HubMethod.PublishUserKey, { ...first, publicKey: b64(32) })).toBe(
      'conflict',
    );
    expect(await refusal(asha.connection, HubMethod.PublishUserKey, userKey(asha, 1))).toBe('conflict');
    expect(await refusal(asha.connection, HubMethod.PublishUserKey, userKey(asha, 3))).toBe('conflict');

    // The owner's other devices hear of a rotation too.
    const otherDevice = await deviceSession(stack, 'dr.asha.rao');
    try {
      const ownSaw = nextEvent(otherDevice.connection, HubEvent.UserKeyChanged, (e) => e.epoch === 2);
      const second = await call(otherDevice.connection, HubMethod.PublishUserKey, userKey(otherDevice, 2));
      expect(second.userKey).toMatchObject({ epoch: 2, signerDeviceId: otherDevice.deviceId });
      expect((await ownSaw).userId).toBe(asha.userId);
    } finally {
      await otherDevice.connection.stop();
    }
    const samuelKey = await call(samuel.connection, HubMethod.PublishUserKey, userKey(samuel, 1));

    // Latest epoch per user by default, every epoch with all; by user as given, users without keys left out.
    const ids = [samuel.userId, lena.userId, asha.userId];
    const latest = await call(lena.connection, HubMethod.GetUserKeys, { userIds: ids });
    expect(latest.userKeys.map((k) => [k.userId, k.epoch])).toEqual([
      [samuel.userId, 1],
      [asha.userId, 2],
    ]);
    const all = await call(lena.connection, HubMethod.GetUserKeys, { userIds: ids, all: true });
    expect(all.userKeys.map((k) => [k.userId, k.epoch])).toEqual([
      [samuel.userId, 1],
      [asha.userId, 1],
      [asha.userId, 2],
    ]);
    expect(all.userKeys[0]).toEqual(samuelKey.userKey);
    expect(all.userKeys[1]).toEqual(published.userKey);

    // Reading works before a device session, like ListDevices; publishing does not.
    const plain = await connect(stack.hub.url, await stack.token('opd.meera.nair'));
    try {
      expect((await call(plain, HubMethod.GetUserKeys, { userIds: [asha.userId] })).userKeys).toHaveLength(1);
      expect(await refusal(plain, HubMethod.PublishUserKey, userKey(meera, 1))).toBe('device_required');
    } finally {
      await plain.stop();
    }
  });

  it('sends as before in a conversation where no member has a user key', async () => {
    const { conversation } = await call(meera.connection, HubMethod.CreateConversation, {
      kind: 'direct',
      memberIds: [lena.userId],
    });
    const id = conversation.conversationId;
    expect((await call(meera.connection, HubMethod.Send, envelope(meera, id))).seq).toBe(1);
    expect((await call(lena.connection, HubMethod.Send, envelope(lena, id, newKeyId()))).seq).toBe(2);
    expect(await refusal(lena.connection, HubMethod.Send, envelope(lena, id, 'ABCDEF'))).toBe('invalid');
  });

  it('publishes conversation keys only for exactly the current members at their current epochs', async () => {
    // Asha (epoch 2) and Samuel (epoch 1) have user keys; Meera has none yet.
    const { conversation } = await call(asha.connection, HubMethod.CreateConversation, {
      kind: 'group',
      memberIds: [samuel.userId, meera.userId],
    });
    const id = conversation.conversationId;
    const current = members([asha.userId, 2], [samuel.userId, 1], [meera.userId, null]);

    expect(
      await staleCurrent(
        asha.connection,
        HubMethod.PublishConversationKey,
        grant(asha, id, [
          [asha.userId, 1],
          [samuel.userId, 1],
        ]),
      ),
    ).toEqual(current);
    expect(
      await staleCurrent(
        asha.connection,
        HubMethod.PublishConversationKey,
        grant(asha, id, [[asha.userId, 2]]),
      ),
    ).toEqual(current);
    expect(
      await staleCurrent(
        asha.connection,
        HubMethod.PublishConversationKey,
        grant(asha, id, [
          [asha.userId, 2],
          [samuel.userId, 1],
          [meera.userId, 1],
        ]),
      ),
    ).toEqual(current);
    expect(
      await staleCurrent(
        asha.connection,
        HubMethod.PublishConversationKey,
        grant(asha, id, [
          [asha.userId, 2],
          [samuel.userId, 1],
          [lena.userId, 1],
        ]),
      ),
    ).toEqual(current);

    // Malformed, not a member, not the bound device.
    const good = grant(asha, id, [
      [asha.userId, 2],
      [samuel.userId, 1],
    ]);
    expect(
      await refusal(asha.connection, HubMethod.PublishConversationKey, {
        ...good,
        keyId: good.keyId.toUpperCase(),
      }),
    ).toBe('invalid');
    expect(
      await refusal(asha.connection, HubMethod.PublishConversationKey, { ...good, recipients: [] }),
    ).toBe('invalid');
    expect(
      await refusal(asha.connection, HubMethod.PublishConversationKey, {
        ...good,
        recipients: [...good.recipients, good.recipients[0]],
      }),
    ).toBe('invalid');
    expect(
      await refusal(lena.connection, HubMethod.PublishConversationKey, {
        ...good,
        senderDeviceId: lena.deviceId,
      }),
    ).toBe('forbidden');
    expect(
      await refusal(asha.connection, HubMethod.PublishConversationKey, {
        ...good,
        senderDeviceId: samuel.deviceId,
      }),
    ).toBe('forbidden');

    const withCompliance = { ...good, compliance: { keyFingerprint: 'compliance-2026', sealedKey: b64(80) } };
    const published = await call(asha.connection, HubMethod.PublishConversationKey, withCompliance);
    expect(published.created).toBe(true);
    expect(published.conversationKey).toMatchObject({ ...withCompliance, senderUserId: asha.userId });
    // A retry returns the stored grant; other content under the same key id is a conflict.
    expect(await call(asha.connection, HubMethod.PublishConversationKey, withCompliance)).toEqual({
      ...published,
      created: false,
    });
    expect(
      await refusal(asha.connection, HubMethod.PublishConversationKey, {
        ...withCompliance,
        signature: b64(64),
      }),
    ).toBe('conflict');
    expect(await refusal(asha.connection, HubMethod.PublishConversationKey, good)).toBe('conflict');

    const second = await call(
      samuel.connection,
      HubMethod.PublishConversationKey,
      grant(samuel, id, [
        [asha.userId, 2],
        [samuel.userId, 1],
      ]),
    );
    const all = await call(meera.connection, HubMethod.GetConversationKeys, { conversationId: id });
    expect(all.conversationKeys).toEqual([published.conversationKey, second.conversationKey]);
    const some = await call(meera.connection, HubMethod.GetConversationKeys, {
      conversationId: id,
      keyIds: [second.conversationKey.keyId, newKeyId()],
    });
    expect(some.conversationKeys).toEqual([second.conversationKey]);
    expect(await refusal(lena.connection, HubMethod.GetConversationKeys, { conversationId: id })).toBe(
      'forbidden',
    );
    expect(
      await refusal(meera.connection, HubMethod.GetConversationKeys, {
        conversationId: id,
        keyIds: ['nope'],
      }),
    ).toBe('invalid');
  });

  it('refuses a send whose conversation key does not cover the current members, and says who they are', async () => {
    // Fresh users' epochs: Asha 2, Samuel 1; Meera none; Lena none.
    const { conversation } = await call(asha.connection, HubMethod.CreateConversation, {
      kind: 'group',
      memberIds: [samuel.userId, meera.userId],
    });
    const id = conversation.conversationId;
    const { conversation: other } = await call(asha.connection, HubMethod.CreateConversation, {
      kind: 'group',
      memberIds: [samuel.userId],
    });

    // Without a key id, with an unknown one, or with another conversation's: stale, listing every member.
    expect(await staleCurrent(asha.connection, HubMethod.Send, envelope(asha, id))).toEqual(
      members([asha.userId, 2], [samuel.userId, 1], [meera.userId, null]),
    );
    expect(await staleCurrent(asha.connection, HubMethod.Send, envelope(asha, id, newKeyId()))).toHaveLength(
      3,
    );
    const elsewhere = await call(
      asha.connection,
      HubMethod.PublishConversationKey,
      grant(asha, other.conversationId, [
        [asha.userId, 2],
        [samuel.userId, 1],
      ]),
    );
    expect(
      await staleCurrent(
        asha.connection,
        HubMethod.Send,
        envelope(asha, id, elsewhere.conversationKey.keyId),
      ),
    ).toHaveLength(3);

    const k1 = (
      await call(
        asha.connection,
        HubMethod.PublishConversationKey,
        grant(asha, id, [
          [asha.userId, 2],
          [samuel.userId, 1],
        ]),
      )
    ).conversationKey.keyId;
    const first = envelope(asha, id, k1);
    const sent = await call(asha.connection, HubMethod.Send, first);
    expect(sent).toMatchObject({ seq: 1, duplicate: false });

    // Samuel rotates: the old key leaves his new epoch out. A resend of the first envelope is still a duplicate.
    await call(samuel.connection, HubMethod.PublishUserKey, userKey(samuel, 2));
    expect(await staleCurrent(asha.connection, HubMethod.Send, envelope(asha, id, k1))).toEqual(
      members([asha.userId, 2], [samuel.userId, 2], [meera.userId, null]),
    );
    expect(await call(asha.connection, HubMethod.Send, first)).toEqual({ ...sent, duplicate: true });
    expect(
      await refusal(asha.connection, HubMethod.Send, { ...first, keyId: undefined, payload: b64(48) }),
    ).toBe('conflict');

    const k2 = (
      await call(
        samuel.connection,
        HubMethod.PublishConversationKey,
        grant(samuel, id, [
          [asha.userId, 2],
          [samuel.userId, 2],
        ]),
      )
    ).conversationKey.keyId;
    expect((await call(meera.connection, HubMethod.Send, envelope(meera, id, k2))).seq).toBe(2);

    // Meera gets her first user key: now she must be a recipient too.
    await call(meera.connection, HubMethod.PublishUserKey, userKey(meera, 1));
    expect(await staleCurrent(asha.connection, HubMethod.Send, envelope(asha, id, k2))).toEqual(
      members([asha.userId, 2], [samuel.userId, 2], [meera.userId, 1]),
    );
    const k3 = (
      await call(
        meera.connection,
        HubMethod.PublishConversationKey,
        grant(meera, id, [
          [asha.userId, 2],
          [samuel.userId, 2],
          [meera.userId, 1],
        ]),
      )
    ).conversationKey.keyId;
    expect((await call(asha.connection, HubMethod.Send, envelope(asha, id, k3))).seq).toBe(3);

    // Meera is removed: a key still sealed to her is stale.
    await call(asha.connection, HubMethod.RemoveMember, { conversationId: id, userId: meera.userId });
    expect(await staleCurrent(samuel.connection, HubMethod.Send, envelope(samuel, id, k3))).toEqual(
      members([asha.userId, 2], [samuel.userId, 2]),
    );
    const k4 = (
      await call(
        samuel.connection,
        HubMethod.PublishConversationKey,
        grant(samuel, id, [
          [asha.userId, 2],
          [samuel.userId, 2],
        ]),
      )
    ).conversationKey.keyId;
    expect((await call(samuel.connection, HubMethod.Send, envelope(samuel, id, k4))).seq).toBe(4);

    // Lena, who has no user key, joins: she is listed but not required (she reads by other means or not at all).
    await call(asha.connection, HubMethod.AddMember, { conversationId: id, userId: lena.userId });
    expect((await call(asha.connection, HubMethod.Send, envelope(asha, id, k4))).seq).toBe(5);
    const keys = await call(lena.connection, HubMethod.GetConversationKeys, { conversationId: id });
    expect(keys.conversationKeys.map((k) => k.keyId)).toEqual([k1, k2, k3, k4]);
  });

  it('carries key releases between devices of one user only, to the addressed device only', async () => {
    const desk = await deviceSession(stack, 'dr.lena.fischer');
    const ward = await deviceSession(stack, 'dr.lena.fischer');
    const gone = await deviceSession(stack, 'dr.lena.fischer');
    try {
      await call(lena.connection, HubMethod.RevokeDevice, { deviceId: gone.deviceId });
      const release = (to: Session, from: Session = lena): HubRequests['PostKeyRelease'] => ({
        releaseId: randomUUID(),
        toDeviceId: to.deviceId,
        fromDeviceId: from.deviceId,
        createdAt: new Date().toISOString(),
        sealed: b64(400),
        signature: b64(64),
      });

      const wardSaw = recordEvents(ward.connection, HubEvent.KeyReleased);
      const senderSaw = recordEvents(lena.connection, HubEvent.KeyReleased);
      const first = release(desk);
      const told = nextEvent(desk.connection, HubEvent.KeyReleased);
      const posted = await call(lena.connection, HubMethod.PostKeyRelease, first);
      expect(posted.created).toBe(true);
      expect(posted.release).toMatchObject({ ...first, userId: lena.userId });
      expect(await told).toEqual({
        releaseId: first.releaseId,
        toDeviceId: desk.deviceId,
        fromDeviceId: lena.deviceId,
        at: posted.release.postedAt,
      });
      expect(await call(lena.connection, HubMethod.PostKeyRelease, first)).toEqual({
        ...posted,
        created: false,
      });
      expect(await refusal(lena.connection, HubMethod.PostKeyRelease, { ...first, sealed: b64(400) })).toBe(
        'conflict',
      );

      // Only from the bound device, only to the user's own registered, unrevoked devices.
      expect(await refusal(lena.connection, HubMethod.PostKeyRelease, release(desk, ward))).toBe('forbidden');
      expect(await refusal(lena.connection, HubMethod.PostKeyRelease, release(samuel))).toBe('not_found');
      expect(
        await refusal(lena.connection, HubMethod.PostKeyRelease, {
          ...release(desk),
          toDeviceId: 'dev-unknown',
        }),
      ).toBe('not_found');
      expect(await refusal(lena.connection, HubMethod.PostKeyRelease, release(gone))).toBe('device_revoked');
      expect(await refusal(samuel.connection, HubMethod.PostKeyRelease, release(desk, samuel))).toBe(
        'not_found',
      );
      expect(
        await refusal(lena.connection, HubMethod.PostKeyRelease, { ...release(desk), sealed: b64(65537) }),
      ).toBe('too_large');

      // A release to the ward device arrives there; by then the first one had reached only the desk.
      const second = release(desk, ward);
      await call(ward.connection, HubMethod.PostKeyRelease, second);
      const toWard = release(ward);
      const wardTold = nextEvent(ward.connection, HubEvent.KeyReleased);
      await call(lena.connection, HubMethod.PostKeyRelease, toWard);
      await wardTold;
      expect(wardSaw.map((e) => e.releaseId)).toEqual([toWard.releaseId]);
      expect(senderSaw).toEqual([]);

      const mailbox = await call(desk.connection, HubMethod.GetKeyReleases, {});
      expect(mailbox.releases.map((r) => r.releaseId)).toEqual([first.releaseId, second.releaseId]);
      expect(mailbox.releases[0]).toEqual(posted.release);
      expect((await call(lena.connection, HubMethod.GetKeyReleases, {})).releases).toEqual([]);

      // Only the addressee deletes; deleting again answers false.
      expect(await refusal(ward.connection, HubMethod.DeleteKeyRelease, { releaseId: first.releaseId })).toBe(
        'not_found',
      );
      expect(await call(desk.connection, HubMethod.DeleteKeyRelease, { releaseId: first.releaseId })).toEqual(
        { deleted: true },
      );
      expect(await call(desk.connection, HubMethod.DeleteKeyRelease, { releaseId: first.releaseId })).toEqual(
        { deleted: false },
      );
      expect(
        (await call(desk.connection, HubMethod.GetKeyReleases, {})).releases.map((r) => r.releaseId),
      ).toEqual([second.releaseId]);

      const plain = await connect(stack.hub.url, await stack.token('dr.lena.fischer'));
      try {
        expect(await refusal(plain, HubMethod.GetKeyReleases, {})).toBe('device_required');
      } finally {
        await plain.stop();
      }
    } finally {
      await Promise.all([desk.connection.stop(), ward.connection.stop(), gone.connection.stop()]);
    }
  });
});
