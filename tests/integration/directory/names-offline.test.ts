// Staff names follow the profile, not the hub's mood: in a directory of hospital size (more staff than the
// hub lists in one page), Dr Rao's app still names the colleague she talks to; after a restart with the hub
// down, the list, search and notifications keep naming him from what her profile kept (migration 25).
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Core } from '../../../src/main/core';
import type { DirectoryUser } from '../../../src/shared/contract';
import { userId } from '../../stack/hub/hub-test-kit';
import {
  ask,
  eventually,
  must,
  sendText,
  signedIn,
  startWorkstation,
  type Workstation,
} from '../../support/workstation';

// Names that sort before every seeded clinician's, so none of the clinicians is on the hub's first page.
const moreStaff = Array.from({ length: 250 }, (_, i) => ({
  id: `00000000-0000-4000-8000-${String(i).padStart(12, '0')}`,
  username: `aaron.staff${i}@hospital.example`,
  displayName: `Aaron Staff ${String(i).padStart(3, '0')}`,
  roles: ['nurse'],
  department: 'Outpatients',
}));

let ws: Workstation;
let asha: Core;
let samuelId: string;

beforeAll(async () => {
  ws = await startWorkstation({ hub: { moreStaff } });
  asha = await signedIn(ws, 'dr.asha.rao');
  const samuel = await signedIn(ws, 'dr.samuel.okafor');
  samuelId = userId(ws.stack, 'dr.samuel.okafor');
  const { conversationId } = await must<{ conversationId: string }>(asha, 'conversations.create', {
    kind: 'direct',
    memberIds: [samuelId],
  });
  await eventually(
    'Samuel has the conversation',
    async () => (await ask(samuel, 'messages.page', { conversationId, limit: 1 })).ok,
  );
  await sendText(samuel, conversationId, 'Bed 12 is ready for the transfer');
  await samuel.close();
}, 180_000);
afterAll(async () => ws?.close());

const names = async (core: Core, query = '') =>
  (await must<DirectoryUser[]>(core, 'directory.search', { query })).map((u) => u.displayName);

describe('staff names', () => {
  it('a colleague beyond the hub’s first page of the directory is still named', async () => {
    await eventually('his name is kept once his message arrived', async () =>
      (await names(asha)).includes('Dr Samuel Okafor'),
    );
    const listed = await names(asha);
    expect(listed.filter((n) => n.startsWith('Aaron Staff'))).toHaveLength(200); // the hub's page
    expect(listed.length).toBeGreaterThan(200);
    expect(asha.messaging()?.nameOf(samuelId)).toBe('Dr Samuel Okafor');
  });

  it('after a restart with the hub down, her profile still names him, in the list and in search', async () => {
    await must(asha, 'session.setPin', { pin: '2468' });
    await asha.close();
    await ws.stack.hub.kill('SIGKILL');
    const restarted = ws.newCore({ appDataDir: ws.appDataDirOf(asha), policyFile: ws.policyFileOf(asha) });
    const state = await must(restarted, 'session.current');
    if (state.status !== 'signed-out') throw new Error(`expected signed-out, got ${state.status}`);
    await must(restarted, 'session.signIn', { profileId: state.profiles[0]!.profileId });
    await must(restarted, 'session.unlockWithPin', { pin: '2468' });
    expect(restarted.connection.current().state).not.toBe('connected');
    expect(await names(restarted)).toContain('Dr Samuel Okafor');
    expect(await names(restarted, 'okafor')).toEqual(['Dr Samuel Okafor']);
    expect(restarted.messaging()?.nameOf(samuelId)).toBe('Dr Samuel Okafor');
    await restarted.close();
  });
});
