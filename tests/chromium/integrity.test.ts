// The hub tampers with a conversation while Dr Rao has it open: it replays an earlier envelope under a new id
// and loses the next one. Her screen shows the replay as "could not verify" and the loss as an alert, each in
// place in the timeline, with a summary above it; what she already had stays as it was.
import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { editHubDatabase } from '../stack/hub/hub-test-kit';
import { must } from '../support/workstation';
import { checkScreen, pairOnScreen, type PairOnScreen } from './harness';

let pair: PairOnScreen;

beforeAll(async () => {
  pair = await pairOnScreen();
}, 180_000);
afterAll(async () => pair?.close());

const timeline = () =>
  pair.page
    .getByRole('log', { name: 'Messages' })
    .locator('.message-row > article, .message-row > [role="note"]')
    .evaluateAll((rows) =>
      rows.map((r) =>
        r.tagName === 'ARTICLE'
          ? `${r.getAttribute('aria-label')}: ${r.textContent}`
          : `NOTE ${r.textContent}`,
      ),
    );

it('shows a replayed envelope as unverified and a lost one as an alert, in place', async () => {
  const { ws, samuel, conversationId, page } = pair;
  const send = (text: string) =>
    must(samuel, 'messages.send', { conversationId, text, urgent: false, ackRequired: false, patient: null });
  await send('Potassium recheck at 14:00');
  const log = page.getByRole('log', { name: 'Messages' });
  await expect.poll(() => log.innerText(), { timeout: 30_000 }).toContain('Potassium recheck at 14:00');

  // Seq 1 holds the conversation's signed create entry; the first message is seq 2.
  await editHubDatabase(ws.stack, (db) => {
    const first = db
      .prepare('SELECT * FROM envelopes WHERE conversation_id = ? AND seq = 2')
      .get(conversationId) as Record<string, unknown>;
    db.prepare(
      'INSERT INTO envelopes (conversation_id, seq, envelope_id, sender_user_id, sender_device_id, payload, server_time) VALUES (?, 3, ?, ?, ?, ?, ?)',
    ).run(
      conversationId,
      randomUUID(),
      first.sender_user_id,
      first.sender_device_id,
      first.payload,
      new Date().toISOString(),
    );
    // Seq 4 is never stored: the next message gets seq 5.
    db.prepare('UPDATE conversations SET last_seq = 4 WHERE conversation_id = ?').run(conversationId);
  });
  await send('Results back, all normal');
  await expect.poll(() => log.innerText(), { timeout: 60_000 }).toContain('Results back, all normal');
  await expect
    .poll(timeline, { timeout: 30_000 })
    .toEqual([
      expect.stringMatching(/^Message from Dr Samuel Okafor: .*Potassium recheck at 14:00/),
      expect.stringMatching(
        /^Message from Dr Samuel Okafor that could not be verified: .*Could not verify this message/,
      ),
      "NOTE Message 4 is missing from the server's copy.",
      expect.stringMatching(/^Message from Dr Samuel Okafor: .*Results back, all normal/),
    ]);
  expect(await page.getByTestId('integrity-alerts').innerText()).toMatch(
    /^This conversation's history does not check out: \d+ problems?, shown in place below\.$/,
  );
  await checkScreen(page, 'integrity-in-place');
});
