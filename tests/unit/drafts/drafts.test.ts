// Issue 15, drafts per conversation: on WARD3B-PC01 Dr Asha Rao starts a message to Dr Samuel Okafor about bed 4,
// switches to the ICU conversation, locks the screen and comes back. What she typed is kept per conversation in
// her profile's encrypted store (it is in no file in clear), comes back exactly as typed (any script, emoji,
// 20,000 characters), goes when she empties it or sends it, and is refused alone, with nothing else changed,
// for a conversation this computer does not have or for text the contract does not accept.
import { readdirSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { randomBytes } from '../../../src/main/core/crypto';
import { createDrafts } from '../../../src/main/core/drafts';
import { AppError } from '../../../src/main/core/errors';
import { createMessageStore } from '../../../src/main/core/messages';
import { openProfileStore } from '../../../src/main/core/store';
import { contract } from '../../../src/shared/contract';
import { DRAFT_MAX_CHARS } from '../../../src/shared/drafts';
import { tempDir } from '../store/helpers';

const BED_4 = 'conv-okafor-bed-4';
const ICU = 'conv-fischer-icu';
const draftOf = (text: string) =>
  contract.calls['drafts.set'].args.safeParse({ conversationId: BED_4, text });

/** Dr Rao's profile on WARD3B-PC01: its real encrypted store, with her two conversations in it. */
function raoProfile(file = join(tempDir(), 'profile.db'), key = randomBytes(32)) {
  const store = openProfileStore({ file, key });
  const messages = createMessageStore(store, { selfUserId: 'user-asha-rao', selfDeviceId: 'WARD3B-PC01' });
  for (const conversationId of [BED_4, ICU])
    messages.upsertConversation({
      conversationId,
      kind: 'direct',
      members: ['user-asha-rao', 'user-samuel-okafor'],
      createdAt: '2026-12-03T08:00:00.000Z',
    });
  return { store, drafts: createDrafts(store), file, reopen: () => (store.close(), raoProfile(file, key)) };
}

const rows = (store: ReturnType<typeof raoProfile>['store']) =>
  store.db.prepare('SELECT conversation_id, text FROM drafts ORDER BY conversation_id').all();

describe('drafts per conversation', () => {
  it('each conversation keeps its own draft, also after the profile is closed and opened again', () => {
    const rao = raoProfile();
    rao.drafts.set(BED_4, 'Bed 4: potassium 6.1, repeat ECG and');
    rao.drafts.set(ICU, 'ICU bed 2 lactate');
    rao.drafts.set(ICU, 'ICU bed 2 lactate 3.1, repeat at 16:00');
    expect(rao.drafts.get(BED_4)).toBe('Bed 4: potassium 6.1, repeat ECG and');

    const again = rao.reopen();
    expect(again.drafts.get(BED_4)).toBe('Bed 4: potassium 6.1, repeat ECG and');
    expect(again.drafts.get(ICU)).toBe('ICU bed 2 lactate 3.1, repeat at 16:00');
    again.store.close();
  });

  it('is in none of the profile’s files in clear (database and journal are encrypted)', () => {
    const rao = raoProfile();
    const typed = 'Ravi Kumar MRN-771204 chest pain, please review before discharge';
    rao.drafts.set(BED_4, typed);
    const dir = dirname(rao.file);
    const inClear = () =>
      readdirSync(dir).filter((name) => readFileSync(join(dir, name)).includes(Buffer.from('MRN-771204')));
    expect(readdirSync(dir).length).toBeGreaterThan(0);
    expect(inClear()).toEqual([]); // the write-ahead journal, before any checkpoint
    rao.store.close();
    expect(inClear()).toEqual([]);
  });

  it('an emptied draft is gone, and sending (clear) removes it from that conversation only', () => {
    const rao = raoProfile();
    rao.drafts.set(BED_4, 'Bed 4 is ready for transfer');
    rao.drafts.set(ICU, 'ICU: no beds until 18:00');
    rao.drafts.set(BED_4, '');
    expect(rao.drafts.get(BED_4)).toBe('');
    rao.drafts.set(BED_4, 'Bed 4 is ready for transfer');
    rao.drafts.clear(BED_4);
    expect(rows(rao.store)).toEqual([{ conversation_id: ICU, text: 'ICU: no beds until 18:00' }]);
    rao.store.close();
  });

  it('comes back exactly as typed: any script, emoji, line breaks, up to 20,000 characters', () => {
    const rao = raoProfile();
    const text = fc.string({ unit: 'binary', minLength: 1, maxLength: 400 });
    // Code points of one or two UTF-16 units: at most 20,000 units, the length the contract counts.
    const long = fc.string({ unit: 'binary', minLength: 9_000, maxLength: DRAFT_MAX_CHARS / 2 });
    fc.assert(
      fc.property(fc.oneof({ arbitrary: text, weight: 20 }, { arbitrary: long, weight: 1 }), (typed) => {
        expect(draftOf(typed).success).toBe(true);
        rao.drafts.set(BED_4, typed);
        expect(rao.drafts.get(BED_4)).toBe(typed);
      }),
      { numRuns: 150, seed: 15 },
    );
    const edge = 'अ'.repeat(DRAFT_MAX_CHARS - 2) + '🩺';
    rao.drafts.set(BED_4, edge);
    expect(rao.reopen().drafts.get(BED_4)).toBe(edge);
  });
});

describe('refused alone, nothing else changed', () => {
  it('a conversation this computer does not have: not_found, every kept draft as it was', () => {
    const rao = raoProfile();
    rao.drafts.set(BED_4, 'Bed 4 handover at 20:00');
    const before = rows(rao.store);
    for (const attempt of [
      () => rao.drafts.set('conv-never-seen', 'Anything'),
      () => rao.drafts.get('conv-never-seen'),
    ]) {
      const refused = (() => {
        try {
          attempt();
        } catch (error) {
          return error;
        }
        return null;
      })();
      expect(refused).toBeInstanceOf(AppError);
      expect(refused).toMatchObject({
        code: 'not_found',
        message: 'This conversation is not on this computer, so no draft is kept for it.',
      });
    }
    expect(rows(rao.store)).toEqual(before);
    rao.store.close();
  });

  it('the contract refuses a draft over 20,000 characters or with half a surrogate pair, naming the field', () => {
    expect(draftOf('x'.repeat(DRAFT_MAX_CHARS)).success).toBe(true);
    expect(draftOf('').success).toBe(true);
    for (const bad of ['x'.repeat(DRAFT_MAX_CHARS + 1), 'Bed 4 \ud83e', 'K+ \udc00 6.1']) {
      const parsed = draftOf(bad);
      expect(parsed.success).toBe(false);
      expect(parsed.error?.issues.map((i) => i.path.join('.'))).toEqual(['text']);
    }
    expect(
      contract.calls['drafts.get'].args.safeParse({ conversationId: BED_4, text: 'smuggled' }).success,
    ).toBe(false);
  });

  it('the drafts store itself refuses more than 20,000 characters, should anything get past the contract', () => {
    const rao = raoProfile();
    rao.drafts.set(BED_4, 'Bed 4 handover at 20:00');
    expect(() => rao.drafts.set(BED_4, 'x'.repeat(DRAFT_MAX_CHARS + 1))).toThrow(
      expect.objectContaining({
        code: 'invalid_args',
        message: 'A draft is at most 20,000 characters: send it or shorten it.',
      }),
    );
    expect(rao.drafts.get(BED_4)).toBe('Bed 4 handover at 20:00');
    rao.store.close();
  });
});
