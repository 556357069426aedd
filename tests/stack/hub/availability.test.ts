// Availability on the hub: a status a user sets for all her devices, pushed with her presence to people who
// share a conversation with her, validated (a closed set of statuses; Do not disturb until a time in the
// future, at most 24 hours ahead), and cleared when the Do not disturb ends.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { HubEvent, HubMethod } from '../../../src/shared/hub-protocol';
import {
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

describe('hub availability', () => {
  let stack: Stack;
  let asha: Session;
  let samuel: Session;
  let meera: Session;

  beforeAll(async () => {
    stack = await startStack();
    asha = await deviceSession(stack, 'dr.asha.rao');
    samuel = await deviceSession(stack, 'dr.samuel.okafor');
    meera = await deviceSession(stack, 'opd.meera.nair');
    await call(asha.connection, HubMethod.CreateConversation, { kind: 'direct', memberIds: [samuel.userId] });
  }, 180_000);
  afterAll(async () => {
    await Promise.all([asha, samuel, meera].filter(Boolean).map((s) => s.connection.stop()));
    await stack?.close();
  });

  it("pushes Dr Okafor's In theatre to Dr Rao, who shares a conversation, and to his other devices, not to strangers", async () => {
    const secondPc = await deviceSession(stack, 'dr.samuel.okafor');
    const meeraSaw = recordEvents(meera.connection, HubEvent.Presence);
    const ashaSees = nextEvent(
      asha.connection,
      HubEvent.Presence,
      (p) => p.availability?.status === 'in_theatre',
    );
    const ownPcSees = nextEvent(
      secondPc.connection,
      HubEvent.Presence,
      (p) => p.availability?.status === 'in_theatre',
    );
    const { presence } = await call(samuel.connection, HubMethod.SetAvailability, { status: 'in_theatre' });
    expect(presence).toMatchObject({
      userId: samuel.userId,
      online: true,
      availability: { status: 'in_theatre', until: null },
    });
    expect((await ashaSees).availability).toEqual(presence.availability);
    expect((await ownPcSees).userId).toBe(samuel.userId);
    const asked = await call(meera.connection, HubMethod.GetPresence, { userIds: [samuel.userId] });
    expect(asked.presence[0]!.availability?.status).toBe('in_theatre');
    expect(meeraSaw.filter((p) => p.userId === samuel.userId)).toEqual([]);

    // Kept per user: the second PC going away leaves the status as he set it.
    await secondPc.connection.stop();
    const after = await call(asha.connection, HubMethod.GetPresence, { userIds: [samuel.userId] });
    expect(after.presence[0]!.availability?.status).toBe('in_theatre');
  });

  it('refuses an unknown status, a Do not disturb without an end, in the past or beyond 24 hours, and an end on another status', async () => {
    const now = Date.now();
    const bad: unknown[] = [
      { status: 'on_holiday' },
      { status: 'DND', until: new Date(now + 60_000).toISOString() },
      { status: 'dnd' },
      { status: 'dnd', until: 'tomorrow morning' },
      { status: 'dnd', until: new Date(now - 60_000).toISOString() },
      { status: 'dnd', until: new Date(now + 25 * 3_600_000).toISOString() },
      { status: 'busy', until: new Date(now + 60_000).toISOString() },
    ];
    for (const args of bad) {
      expect(await refusal(samuel.connection, HubMethod.SetAvailability, args), JSON.stringify(args)).toBe(
        'invalid',
      );
    }
    expect(await refusal(samuel.connection, HubMethod.SetAvailability, 'busy')).toBe('invalid');
    // Nothing refused changed what colleagues see.
    const seen = await call(asha.connection, HubMethod.GetPresence, { userIds: [samuel.userId] });
    expect(seen.presence[0]!.availability?.status).toBe('in_theatre');

    // A connection not bound to a device cannot set anything.
    const unbound = await connect(stack.hub.url, await stack.token('dr.samuel.okafor'));
    try {
      expect(await refusal(unbound, HubMethod.SetAvailability, { status: 'busy' })).toBe('device_required');
    } finally {
      await unbound.stop();
    }
  });

  it("clears Dr Rao's Do not disturb when its time passes and tells Dr Okafor", async () => {
    const until = new Date(Date.now() + 2_000).toISOString();
    const set = await call(asha.connection, HubMethod.SetAvailability, { status: 'dnd', until });
    expect(set.presence.availability).toMatchObject({ status: 'dnd', until });
    const cleared = nextEvent(
      samuel.connection,
      HubEvent.Presence,
      (p) => p.userId === asha.userId && p.availability === null,
    );
    expect((await cleared).online).toBe(true);
    await expect
      .poll(
        async () =>
          (await call(samuel.connection, HubMethod.GetPresence, { userIds: [asha.userId] })).presence[0]!
            .availability,
      )
      .toBeNull();
  });

  it('a newer status replaces a Do not disturb, and its old end then clears nothing', async () => {
    await call(asha.connection, HubMethod.SetAvailability, {
      status: 'dnd',
      until: new Date(Date.now() + 1_500).toISOString(),
    });
    await call(asha.connection, HubMethod.SetAvailability, { status: 'busy' });
    const presence = async () =>
      (await call(samuel.connection, HubMethod.GetPresence, { userIds: [asha.userId] })).presence[0]!
        .availability?.status;
    // The old Do not disturb's end is due within 1.5 s; 'busy' has to outlive it.
    const cleared = nextEvent(
      samuel.connection,
      HubEvent.Presence,
      (p) => p.userId === asha.userId && p.availability === null,
      3_000,
    );
    await expect(cleared).rejects.toThrow(/no Presence event/);
    expect(await presence()).toBe('busy');
  });
});
