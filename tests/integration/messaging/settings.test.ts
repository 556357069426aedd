// A user's own settings through the contract, against the real hub, store and keychain: each stays within
// the hospital's policy, survives a restart, and changes what the app does (notifications, list previews).
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Core } from '../../../src/main/core';
import type { OsNotification } from '../../../src/main/core/notifications';
import type { ConversationView, Preferences, PresenceView } from '../../../src/shared/contract';
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
const notifications: OsNotification[] = [];

beforeAll(async () => {
  ws = await startWorkstation();
  // An OPD-desk style policy: notifications show the sender at most, no previews in the list.
  const policyFile = ws.policyFile(mkdtempSync(join(tmpdir(), 'cm-settings-policy-')), {
    notificationPrivacy: 'sender',
    idleLockMaxMinutes: 10,
  });
  asha = await signedIn(ws, 'dr.asha.rao');
  samuel = await signedIn(ws, 'dr.samuel.okafor', { policyFile, notify: (n) => notifications.push(n) });
  ({ conversationId } = await must<{ conversationId: string }>(asha, 'conversations.create', {
    kind: 'direct',
    memberIds: [userId(ws.stack, 'dr.samuel.okafor')],
  }));
}, 180_000);
afterAll(async () => ws?.close());

const send = (text: string, urgent: boolean) =>
  must(asha, 'messages.send', { conversationId, text, urgent, ackRequired: false, patient: null });

describe('settings', () => {
  it('start from the policy, and refuse anything looser than it with a typed error', async () => {
    const initial = await must<Preferences>(samuel, 'settings.current');
    expect(initial).toEqual({
      idleLockMinutes: 10,
      idleLockMaxMinutes: 10,
      notifyFor: 'all',
      notificationPrivacy: 'sender',
      notificationPrivacyMax: 'sender',
      listPreviews: true,
      listPreviewsAllowed: true,
      urgentRenotifyMinutes: 2,
      language: 'system',
    });
    const looser = await ask(samuel, 'settings.update', { notificationPrivacy: 'preview' });
    expect(looser).toMatchObject({ ok: false, error: { code: 'forbidden_by_policy' } });
    const tooLong = await ask(samuel, 'settings.update', { idleLockMinutes: 500 });
    expect(tooLong).toMatchObject({ ok: false, error: { code: 'invalid_args' } });
    expect(await must<Preferences>(samuel, 'settings.current')).toEqual(initial);

    const changed = await must<Preferences>(samuel, 'settings.update', {
      idleLockMinutes: 3,
      notificationPrivacy: 'hidden',
    });
    expect(changed).toMatchObject({ idleLockMinutes: 3, notificationPrivacy: 'hidden' });
  });

  it('hide the sender from notifications, and quieten routine messages but never urgent ones', async () => {
    await send('Routine: discharge summary ready', false);
    await expect.poll(() => notifications.length, { timeout: 30_000 }).toBe(1);
    expect(notifications[0]).toEqual({
      title: 'Clinical Messenger',
      body: 'New secure message',
      urgent: false,
      conversationId,
    });

    await must(samuel, 'settings.update', { notifyFor: 'urgent' });
    await send('Routine: clinic list printed', false);
    await send('Urgent: bed 4 desaturating', true);
    await expect.poll(() => notifications.length, { timeout: 30_000 }).toBe(2);
    expect(notifications[1]).toEqual({
      title: 'Clinical Messenger',
      body: 'Urgent: New secure message',
      urgent: true,
      conversationId,
    });
  });

  it('turn the conversation list preview off, and keep every setting across a restart', async () => {
    const preview = async () =>
      (await must<ConversationView[]>(samuel, 'conversations.list'))[0]!.lastMessage;
    expect(await preview()).toMatchObject({ kind: 'text', preview: 'Urgent: bed 4 desaturating' });
    await must(samuel, 'settings.update', { listPreviews: false });
    expect(await preview()).toMatchObject({ kind: 'text', preview: null, urgent: true });

    await must(samuel, 'session.setPin', { pin: '1357' });
    await samuel.close();
    const restarted = ws.newCore({
      appDataDir: ws.appDataDirOf(samuel),
      policyFile: ws.policyFileOf(samuel),
    });
    const state = await must(restarted, 'session.current');
    if (state.status !== 'signed-out') throw new Error(`expected signed-out, got ${state.status}`);
    await must(restarted, 'session.signIn', { profileId: state.profiles[0]!.profileId });
    await must(restarted, 'session.unlockWithPin', { pin: '1357' });
    await connected(restarted);
    expect(await must<Preferences>(restarted, 'settings.current')).toMatchObject({
      idleLockMinutes: 3,
      notifyFor: 'urgent',
      notificationPrivacy: 'hidden',
      listPreviews: false,
    });
    samuel = restarted;
  });

  it('tells who is online', async () => {
    const ids = [userId(ws.stack, 'dr.asha.rao'), userId(ws.stack, 'dr.lena.fischer')];
    const presence = await must<PresenceView[]>(samuel, 'directory.presence', { userIds: ids });
    expect(presence.map((p) => [p.userId, p.online])).toEqual([
      [ids[0], true],
      [ids[1], false],
    ]);
  });
});
