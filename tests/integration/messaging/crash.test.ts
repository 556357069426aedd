// Kill -9 of the app in the middle of ingesting, again and again: the encrypted database must pass
// integrity_check every time, and every message whose delivery the client acknowledged to the hub must be in it.
import { spawn, type ChildProcess } from 'node:child_process';
import { afterAll, beforeAll, expect, it } from 'vitest';
import type { Core } from '../../../src/main/core';
import { openProfileRegistry } from '../../../src/main/core/profiles';
import { openProfileStore, profileStoreKey } from '../../../src/main/core/store';
import type { SessionState } from '../../../src/shared/contract';
import { HubMethod } from '../../../src/shared/hub-protocol';
import { call, deviceSession, userId } from '../../stack/hub/hub-test-kit';
import { must, twoClinicians, type Workstation } from '../../support/workstation';
import { waitFor } from '../hub-client/helpers';

const MESSAGES = 3_000;
const KILLS = 5;
/** The hub seq of the last message: seq 1 holds the conversation's signed create entry. */
const LAST_SEQ = MESSAGES + 1;

let ws: Workstation;
let samuel: Core;
let asha: Core;

beforeAll(async () => {
  ({ ws, asha, samuel } = await twoClinicians());
}, 180_000);
afterAll(async () => ws?.close());

it(
  `survives ${KILLS} kill -9s during ingest with an intact database and every acknowledged message`,
  { timeout: 600_000 },
  async () => {
    const { conversationId } = await must<{ conversationId: string }>(samuel, 'conversations.create', {
      kind: 'direct',
      memberIds: [userId(ws.stack, 'dr.asha.rao')],
    });
    const state = await must<SessionState>(asha, 'session.setPin', { pin: '9753' });
    if (state.status !== 'active') throw new Error('Asha is not signed in');
    const profileId = state.profile.profileId;
    await must(asha, 'session.switchUser'); // Asha's workstation is closed while the messages pile up

    for (let i = 0; i < MESSAGES; i++) {
      await must(samuel, 'messages.send', {
        conversationId,
        text: `result ${i}`,
        urgent: false,
        ackRequired: false,
        patient: null,
      });
    }
    await waitFor('all sent', () => samuel.messaging()!.messages.outboxSize() === 0, 120_000);

    // A separate device session of Samuel's, to read the receipts the hub recorded.
    const { connection: hub } = await deviceSession(ws.stack, 'dr.samuel.okafor');
    const acknowledged = async (): Promise<number> => {
      const { receipts } = await call(hub, HubMethod.GetReceipts, {
        conversationId,
        afterSeq: 0,
        limit: 1000,
      });
      return Math.max(
        0,
        ...receipts
          .filter((r) => r.kind === 'delivered' && r.userId === userId(ws.stack, 'dr.asha.rao'))
          .map((r) => r.seq),
      );
    };
    const ashaDir = ws.appDataDirOf(asha);
    const storeFile = openProfileRegistry(ashaDir).paths(profileId).storeFile;
    const check = async (): Promise<{ integrity: string; present: number; acked: number }> => {
      const acked = await acknowledged();
      const store = openProfileStore({ file: storeFile, key: await profileStoreKey(ws.keychain, profileId) });
      try {
        const integrity = store.db.pragma('integrity_check', { simple: true }) as string;
        // Seq 1 is the conversation's signed create entry, kept beside the messages in chain_entries.
        const seqs = store.db
          .prepare(
            `SELECT seq FROM messages WHERE conversation_id = ? AND seq <= ?
             UNION ALL SELECT seq FROM chain_entries WHERE conversation_id = ? AND seq <= ? ORDER BY seq`,
          )
          .pluck()
          .all(conversationId, acked, conversationId, acked) as number[];
        expect(seqs).toEqual(Array.from({ length: acked }, (_, k) => k + 1));
        return { integrity, present: Math.max(0, seqs.length - 1), acked: Math.max(0, acked - 1) };
      } finally {
        store.close();
      }
    };

    const startChild = (): ChildProcess =>
      spawn(process.execPath, ['--import', 'tsx', 'tests/integration/messaging/ingest-child.ts'], {
        env: {
          ...process.env,
          CM_CHILD_POLICY: ws.policyFileOf(asha),
          CM_CHILD_APP_DATA: ashaDir,
          CM_CHILD_KEYCHAIN_SERVICE: ws.keychainService,
          CM_CHILD_PROFILE: profileId,
          CM_CHILD_PIN: '9753',
        },
        stdio: ['ignore', 'ignore', 'inherit'],
      });

    const kills: { acked: number; present: number }[] = [];
    for (let k = 0; k < KILLS; k++) {
      const before = await acknowledged();
      if (before >= LAST_SEQ) break;
      const child = startChild();
      const exited = new Promise((resolve) => child.once('exit', resolve));
      // Kill as soon as the child has acknowledged something new: it is then in the middle of ingesting.
      const deadline = Date.now() + 120_000;
      while ((await acknowledged()) === before && Date.now() < deadline)
        await new Promise((r) => setTimeout(r, 20));
      child.kill('SIGKILL');
      await exited;
      const result = await check();
      expect(result.integrity).toBe('ok');
      kills.push(result);
    }
    expect(kills.length).toBeGreaterThanOrEqual(2);

    // A last run to the end: everything arrives.
    const child = startChild();
    const deadline = Date.now() + 180_000;
    while ((await acknowledged()) < LAST_SEQ && Date.now() < deadline)
      await new Promise((r) => setTimeout(r, 100));
    child.kill('SIGKILL');
    const final = await check();
    expect(final).toMatchObject({ integrity: 'ok', acked: MESSAGES, present: MESSAGES });
    await hub.stop();
    console.log(
      `crash: ${kills.length} kill -9s mid-ingest (acknowledged when killed: ${kills.map((k) => k.acked).join(', ')}), integrity_check ok each time, ${MESSAGES}/${MESSAGES} present at the end`,
    );
  },
);
