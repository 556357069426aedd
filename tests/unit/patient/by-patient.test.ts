// The patient view's query over a real encrypted profile store: one MRN across conversations, newest first,
// never a quarantined envelope, in bounded pages that neither skip nor repeat; and how long it takes at size.
import { describe, expect, it } from 'vitest';
import { createMessageStore } from '../../../src/main/core/messages';
import { incoming, quarantined, textPayload } from '../messages/helpers';
import { tempStore } from '../store/helpers';

const petrov = { mrn: '0042817', name: 'Mr John Petrov' };
const okoye = { mrn: '0091234', name: 'Mrs Ada Okoye' };
const about = (conversationId: string, seq: number, text: string, patient: typeof petrov | null) =>
  incoming(conversationId, seq, text, { verdict: { ok: true, payload: textPayload(text, { patient }) } });

describe('messages by patient', () => {
  it('lists one MRN across conversations, newest first, paged without gaps or repeats', () => {
    const { store } = tempStore();
    const messages = createMessageStore(store, { selfUserId: 'user-asha' });
    messages.ingest([
      about('ward-3b', 1, 'Petrov: K+ 6.9', petrov),
      about('ward-3b', 2, 'Okoye: discharge letter', okoye),
      about('direct', 3, 'Petrov: calcium gluconate given', petrov),
      about('direct', 4, 'Pharmacy closes at 8', null),
      quarantined('ward-3b', 5),
      about('ward-3b', 6, 'Petrov: repeat U&E at 18:00', petrov),
    ]);
    const all = messages.byPatient(petrov.mrn, { limit: 100 });
    expect(all.items.map((i) => [i.conversationId, i.text])).toEqual([
      ['ward-3b', 'Petrov: repeat U&E at 18:00'],
      ['direct', 'Petrov: calcium gluconate given'],
      ['ward-3b', 'Petrov: K+ 6.9'],
    ]);
    expect(all.next).toBeNull();

    const seen: string[] = [];
    let beforeId: number | undefined;
    for (;;) {
      const page = messages.byPatient(petrov.mrn, { limit: 2, ...(beforeId ? { beforeId } : {}) });
      seen.push(...page.items.map((i) => i.text));
      if (page.next === null) break;
      beforeId = page.next;
    }
    expect(seen).toEqual(all.items.map((i) => i.text));
    expect(messages.byPatient('9999999', { limit: 10 })).toEqual({ items: [], next: null });
    expect(() => messages.byPatient('  ', { limit: 10 })).toThrow(/MRN/);
    store.close();
  });

  it('finds the first page among 20,000 messages (the time is printed, not asserted)', () => {
    const { store } = tempStore();
    const messages = createMessageStore(store, { selfUserId: 'user-asha' });
    const batch = Array.from({ length: 20_000 }, (_, i) =>
      about(
        `c${i % 40}`,
        Math.floor(i / 40) + 1,
        `note ${i}`,
        i % 100 === 0 ? petrov : i % 3 === 0 ? okoye : null,
      ),
    );
    for (let i = 0; i < batch.length; i += 1_000) messages.ingest(batch.slice(i, i + 1_000));
    const started = performance.now();
    const page = messages.byPatient(petrov.mrn, { limit: 50 });
    const ms = performance.now() - started;
    expect(page.items).toHaveLength(50);
    expect(page.next).not.toBeNull();
    console.log(`byPatient: first page of 50 of 200 Petrov messages among 20,000 in ${ms.toFixed(1)} ms`);
    store.close();
  });
});
