// Availability against the real hub, keychain and SQLite: Dr Okafor goes into theatre and Dr Rao sees it in
// the directory and in their conversation; Dr Rao's Do not disturb holds routine notifications (the message
// is still unread in the app) while an urgent one notifies; ending it brings one summary, not a burst; her
// setting survives a restart of the hub and of her app.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Core } from '../../../src/main/core';
import type { OsNotification } from '../../../src/main/core/notifications';
import type {
  ConversationView,
  DirectoryUser,
  EventPayload,
  MyAvailabilityView,
  PresenceView,
} from '../../../src/shared/contract';
import { userId } from '../../stack/hub/hub-test-kit';
import {
  ask,
  connected,
  must,
  signedIn,
  startWorkstation,
  type Workstation,
} from '../../support/workstation';

let ws: Workstation;
let asha: Core;
let samuel: Core;
let conversationId: string;
let ashaId: string;
let samuelId: string;
const ashaNotified: OsNotification[] = [];
const ashaHeard: EventPayload<'directory.availability'>[] = [];

beforeAll(async () => {
  ws = await startWorkstation();
  asha = await signedIn(ws, 'dr.asha.rao', { notify: (n) => ashaNotified.push(n) });
  samuel = await signedIn(ws, 'dr.samuel.okafor');
  ashaId = userId(ws.stack, 'dr.asha.rao');
  samuelId = userId(ws.stack, 'dr.samuel.okafor');
  ({ conversationId } = await must<{ conversationId: string }>(asha, 'conversations.create', {
    kind: 'direct',
    memberIds: [samuelId],
  }));
  asha.events.subscribe((name, payload) => {
    if (name === 'directory.availability') ashaHeard.push(payload as EventPayload<'directory.availability'>);
  });
}, 180_000);
afterAll(async () => ws?.close());

const presenceOf = async (core: Core, id: string) =>
  (await must<PresenceView[]>(core, 'directory.presence', { userIds: [id] }))[0]!;
const unread = async () =>
  (await must<ConversationView[]>(asha, 'conversations.list')).find(
    (c) => c.conversationId === conversationId,
  )!.unread;
const send = (text: string, urgent: boolean) =>
  must(samuel, 'messages.send', { conversationId, text, urgent, ackRequired: false, patient: null });

describe('availability', () => {
  it("shows Dr Okafor's In theatre to Dr Rao in the directory and in their conversation", async () => {
    expect(
      await must<MyAvailabilityView>(samuel, 'directory.setAvailability', { status: 'in_theatre' }),
    ).toEqual({
      availability: { status: 'in_theatre', until: null },
      published: true,
    });
    // Pushed: the conversation header changes without asking.
    await expect
      .poll(() => ashaHeard.find((e) => e.userId === samuelId)?.availability, { timeout: 30_000 })
      .toEqual({ status: 'in_theatre', until: null });
    const found = await must<DirectoryUser[]>(asha, 'directory.search', { query: 'Okafor' });
    expect(found.map((u) => u.id)).toEqual([samuelId]);
    expect(await presenceOf(asha, samuelId)).toMatchObject({
      online: true,
      availability: { status: 'in_theatre', until: null },
    });
  });

  it('refuses a Do not disturb in the past or beyond 24 hours, and keeps what she had', async () => {
    const past = await ask(asha, 'directory.setAvailability', {
      status: 'dnd',
      until: new Date(Date.now() - 60_000).toISOString(),
    });
    expect(past).toMatchObject({ ok: false, error: { code: 'availability_invalid' } });
    const tooLong = await ask(asha, 'directory.setAvailability', {
      status: 'dnd',
      until: new Date(Date.now() + 25 * 3_600_000).toISOString(),
    });
    expect(tooLong).toMatchObject({
      ok: false,
      error: { code: 'availability_invalid', message: expect.stringMatching(/24 hours/) },
    });
    const unknown = await ask(asha, 'directory.setAvailability', { status: 'on_holiday' });
    expect(unknown).toMatchObject({ ok: false, error: { code: 'invalid_args' } });
    expect((await must<MyAvailabilityView>(asha, 'directory.myAvailability')).availability).toEqual({
      status: 'available',
      until: null,
    });
  });

  it("holds routine notifications during Dr Rao's Do not disturb; urgent ones break through", async () => {
    const until = new Date(Date.now() + 2 * 3_600_000).toISOString();
    const set = await must<MyAvailabilityView>(asha, 'directory.setAvailability', { status: 'dnd', until });
    expect(set.availability).toEqual({ status: 'dnd', until });
    await expect
      .poll(async () => (await presenceOf(samuel, ashaId)).availability, { timeout: 30_000 })
      .toEqual({
        status: 'dnd',
        until,
      });

    await send('Routine: bed 12 obs stable', false);
    await send('Routine: clinic letter signed', false);
    await expect.poll(unread, { timeout: 30_000 }).toBe(2);
    await send('Urgent: bed 4 K+ 6.9', true);
    await expect.poll(unread, { timeout: 30_000 }).toBe(3);
    await expect.poll(() => ashaNotified.length, { timeout: 30_000 }).toBe(1);
    expect(ashaNotified[0]).toMatchObject({
      urgent: true,
      body: 'Urgent: New secure message',
      conversationId,
    });
  });

  it('ends with one summary of what is still unread, not a burst of notifications', async () => {
    await must(asha, 'directory.setAvailability', { status: 'available' });
    await expect.poll(() => ashaNotified.length, { timeout: 30_000 }).toBe(2);
    expect(ashaNotified[1]).toEqual({
      title: 'Clinical Messenger',
      body: '1 conversation has new messages from while you were on Do not disturb',
      urgent: false,
      conversationId,
    });
    await send('Routine: ward round at 2', false);
    await expect.poll(() => ashaNotified.length, { timeout: 30_000 }).toBe(3);
    expect(ashaNotified[2]).toMatchObject({ urgent: false, conversationId });
  });

  it('keeps her setting across a hub restart and an app restart', async () => {
    await must(asha, 'directory.setAvailability', { status: 'busy' });
    await ws.stack.hub.kill('SIGKILL');
    await ws.stack.hub.restart();
    await connected(asha, 60_000);
    await connected(samuel, 60_000);
    // The hub forgot everything it held in memory; her app published it again on reconnecting.
    await expect
      .poll(async () => (await presenceOf(samuel, ashaId)).availability?.status, { timeout: 30_000 })
      .toBe('busy');

    await must(asha, 'session.setPin', { pin: '2468' });
    await asha.close();
    const restarted = ws.newCore({ appDataDir: ws.appDataDirOf(asha), policyFile: ws.policyFileOf(asha) });
    const state = await must(restarted, 'session.current');
    if (state.status !== 'signed-out') throw new Error(`expected signed-out, got ${state.status}`);
    await must(restarted, 'session.signIn', { profileId: state.profiles[0]!.profileId });
    await must(restarted, 'session.unlockWithPin', { pin: '2468' });
    await connected(restarted);
    expect(await must<MyAvailabilityView>(restarted, 'directory.myAvailability')).toEqual({
      availability: { status: 'busy', until: null },
      published: true,
    });
    asha = restarted;
  });
});
