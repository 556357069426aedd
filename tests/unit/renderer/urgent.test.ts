// Issue 15: urgent is unmistakable. On WARD3B-PC01 Dr Samuel Okafor's urgent messages stay pinned above the
// conversation until he acknowledges them (or, when no acknowledgement is asked, until he has read them); urgent
// conversations come first in his list; badges carry an accessible name; and the lock screen says how many urgent
// messages wait and nothing else.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { ConversationView } from '../../../src/shared/contract';
import { unreadLabel, urgentCountText, urgentFirst } from '../../../src/renderer/src/workspace/urgent/counts';
import { pinnedUrgent } from '../../../src/renderer/src/workspace/urgent/pinned';
import { messageView } from './message-view';

const RAO = 'user-asha-rao';
const OKAFOR = 'user-samuel-okafor';
const okaforAcknowledged = [{ userId: OKAFOR, own: true, at: '2026-12-03T15:09:00.000Z' }];

describe('the urgent messages pinned above the timeline', () => {
  const handover = messageView({ seq: 1, senderUserId: RAO, text: 'Handover at 19:00' });
  const collapse = messageView({
    seq: 2,
    senderUserId: RAO,
    text: 'Bed 4 arrest call, come now',
    urgent: true,
    ackRequired: true,
  });
  const potassium = messageView({ seq: 3, senderUserId: RAO, text: 'K+ 6.8 in bed 9', urgent: true });

  it('pins an urgent message that asks for acknowledgement until Dr Okafor acknowledges it, read or not', () => {
    expect(pinnedUrgent([handover, collapse], 1)).toEqual([collapse]);
    expect(pinnedUrgent([handover, collapse], 0)).toEqual([collapse]);
    expect(pinnedUrgent([handover, { ...collapse, acknowledgements: okaforAcknowledged }], 1)).toEqual([]);
  });

  it('pins an urgent message asking for no acknowledgement only while it is unread', () => {
    expect(pinnedUrgent([handover, potassium], 1)).toEqual([potassium]);
    expect(pinnedUrgent([handover, potassium], 0)).toEqual([]);
    // Two urgent messages, one unread: the unread one is the newer.
    const acked = { ...collapse, acknowledgements: okaforAcknowledged };
    const older = { ...potassium, seq: 1, envelopeId: 'e-old' };
    expect(pinnedUrgent([older, acked, potassium], 1)).toEqual([potassium]);
  });

  it('never pins his own urgent messages, an unverified one, one still sending or an escalation step', () => {
    const mine = { ...collapse, senderUserId: OKAFOR, own: true };
    const unverified = { ...potassium, verdict: 'quarantined' as const, reason: 'bad-signature' };
    const sending = { ...potassium, seq: null, pending: true };
    const step = { ...collapse, escalationStep: 'reminder' as const };
    expect(pinnedUrgent([mine, unverified, sending, step], 4)).toEqual([]);
  });

  it('lists them oldest first, whatever order they were loaded in', () => {
    const later = { ...collapse, seq: 5, envelopeId: 'e5' };
    expect(pinnedUrgent([later, potassium, collapse], 2).map((m) => m.seq)).toEqual([2, 3, 5]);
  });
});

describe('the badges and the lock screen', () => {
  it('names a badge by its counts: "3 unread, 1 urgent"', () => {
    expect(unreadLabel(3, 1)).toBe('3 unread, 1 urgent');
    expect(unreadLabel(1, 0)).toBe('1 unread');
  });

  it('says how many urgent messages wait, and nothing else', () => {
    expect(urgentCountText(1)).toBe('1 urgent message');
    expect(urgentCountText(4)).toBe('4 urgent messages');
  });
});

const conversation = (id: number, urgentUnread: number): ConversationView => ({
  conversationId: `c${id}`,
  kind: 'direct',
  members: [RAO, OKAFOR],
  lastMessage: null,
  unread: urgentUnread,
  urgentUnread,
  lastSeq: 0,
  alerts: 0,
  membership: 'confirmed',
  admins: [],
  name: null,
  patient: null,
});

describe('the conversation list', () => {
  it('puts conversations with urgent messages unread first, keeping the most recent first within each', () => {
    fc.assert(
      fc.property(fc.array(fc.nat({ max: 2 }), { maxLength: 30 }), (urgents) => {
        const given = urgents.map((u, i) => conversation(i, u));
        const shown = urgentFirst(given);
        const isUrgent = (c: ConversationView) => c.urgentUnread > 0;
        expect(shown.map((c) => c.conversationId).sort()).toEqual(given.map((c) => c.conversationId).sort());
        const firstCalm = shown.findIndex((c) => !isUrgent(c));
        if (firstCalm >= 0) expect(shown.slice(firstCalm).some(isUrgent)).toBe(false);
        expect(shown.filter(isUrgent)).toEqual(given.filter(isUrgent));
        expect(shown.filter((c) => !isUrgent(c))).toEqual(given.filter((c) => !isUrgent(c)));
      }),
    );
  });
});
