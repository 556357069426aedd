// Catch-up: a workstation that was closed while messages piled up on the real hub opens again. Measures how
// fast its messaging engine catches up (sync → verify → open → decrypt → store, with receipts), against the
// same envelopes ingested locally (openEnvelope + one-transaction batches) in the same run. Target ≥ 0.5.
// Needs the OS keychain: `npm run bench` runs under tests/setup/with-keychain.sh.
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { randomBytes } from '../../src/main/core/crypto';
import { openEnvelope } from '../../src/main/core/envelope';
import { loadDevice } from '../../src/main/core/keys';
import { createMessageStore, type IncomingMessage } from '../../src/main/core/messages';
import { keyIdOfEnvelope } from '../../src/main/core/messaging/conversation-keys-service';
import { createConversationKeyStore } from '../../src/main/core/messaging/conversation-keys';
import { openProfileStore, profileStoreKey } from '../../src/main/core/store';
import type { SessionState } from '../../src/shared/contract';
import { userId } from '../stack/hub/hub-test-kit';
import { must, signedIn, startWorkstation } from '../support/workstation';
import { benchScale, printRatios, printTable, ratio, type Figure } from './report';

const N = benchScale() === 'smoke' ? 1_000 : 10_000;
const BATCH = 500;

const ws = await startWorkstation();
try {
  const asha = await signedIn(ws, 'dr.asha.rao');
  const samuel = await signedIn(ws, 'dr.samuel.okafor');
  const { conversationId } = await must<{ conversationId: string }>(samuel, 'conversations.create', {
    kind: 'direct',
    memberIds: [userId(ws.stack, 'dr.asha.rao')],
  });
  const state = await must<SessionState>(asha, 'session.setPin', { pin: '1470' });
  if (state.status !== 'active') throw new Error('not signed in');
  const ashaProfile = state.profile.profileId;
  const ashaDevice = await loadDevice(ws.keychain, ashaProfile);
  await must(asha, 'session.switchUser');

  const text = 'x'.repeat(1000);
  for (let i = 0; i < N; i++) {
    await must(samuel, 'messages.send', {
      conversationId,
      text: `${i} ${text}`,
      urgent: false,
      ackRequired: false,
      patient: null,
    });
  }
  while (samuel.messaging()!.messages.outboxSize() > 0) await new Promise((r) => setTimeout(r, 50));

  // The product: Asha opens her profile again and the engine catches up from the hub.
  const start = process.hrtime.bigint();
  await must(asha, 'session.signIn', { profileId: ashaProfile });
  await must(asha, 'session.unlockWithPin', { pin: '1470' });
  while (asha.messaging()?.messages.bySeq(conversationId, N) == null)
    await new Promise((r) => setTimeout(r, 5));
  const seconds = Number(process.hrtime.bigint() - start) / 1e9;
  const catchUp: Figure = {
    name: 'catch-up from the hub (unlock → all stored)',
    ops: N,
    seconds,
    rate: N / seconds,
  };

  // Local ingest of the very same envelopes into a fresh encrypted store.
  const records = samuel
    .messaging()!
    .messages.verificationRecords(conversationId)
    .filter((r) => r.seq !== null);
  const samuelKey = (
    await loadDevice(
      ws.keychain,
      (await must<SessionState & { status: 'active' }>(samuel, 'session.current')).profile.profileId,
    )
  ).signingPublicKey;
  // The conversation keys (format 2) Asha's engine opened from the grants, read from her profile beforehand.
  const ashaStore = openProfileStore({
    file: join(ws.appDataDirOf(asha), 'profiles', ashaProfile, 'profile.db'),
    key: await profileStoreKey(ws.keychain, ashaProfile),
  });
  const conversationKeys = new Map<string, Uint8Array>();
  const ashaKeys = createConversationKeyStore(ashaStore);
  for (const r of records) {
    const keyId = keyIdOfEnvelope(r.envelope);
    const key = keyId ? ashaKeys.get(conversationId, keyId) : null;
    if (keyId && key) conversationKeys.set(keyId, key);
  }
  ashaStore.close();
  const store = openProfileStore({
    file: join(mkdtempSync(join(tmpdir(), 'cm-bench-')), 'local.db'),
    key: randomBytes(32),
  });
  const local = createMessageStore(store, {
    selfUserId: ashaDevice.userId,
    selfDeviceId: ashaDevice.deviceId,
  });
  const localStart = process.hrtime.bigint();
  for (let i = 0; i < records.length; i += BATCH) {
    const batch: IncomingMessage[] = [];
    for (const r of records.slice(i, i + BATCH)) {
      const hub = {
        conversationId,
        envelopeId: r.envelopeId,
        senderUserId: r.senderUserId,
        senderDeviceId: r.senderDeviceId,
        seq: r.seq!,
        serverTime: r.serverTime!,
      };
      const opened = await openEnvelope({
        bytes: r.envelope,
        hub,
        me: ashaDevice,
        senderKey: () => ({ signingPublicKey: samuelKey, currentMember: true }),
        conversationKey: (_conversation, keyId) => conversationKeys.get(keyId) ?? null,
      });
      batch.push({
        ...hub,
        clientTime: opened.header.clientTime,
        hash: opened.hash,
        prev: opened.header.prev,
        envelope: r.envelope,
        verdict: { ok: true, payload: opened.payload },
      });
    }
    local.ingest(batch);
  }
  const localSeconds = Number(process.hrtime.bigint() - localStart) / 1e9;
  const localIngest: Figure = {
    name: 'local ingest of the same envelopes',
    ops: records.length,
    seconds: localSeconds,
    rate: records.length / localSeconds,
  };
  store.close();

  printTable(`Catch-up after ${N.toLocaleString('en-US')} missed messages (1 KiB text)`, [
    catchUp,
    localIngest,
  ]);
  printRatios('Ratios', [ratio('catch-up ÷ local ingest', catchUp, localIngest, 0.5)]);
} finally {
  await ws.close();
}
