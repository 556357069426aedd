import { describe, expect, it } from 'vitest';
import { foldControl } from '../../../src/main/core/messaging/conversation-state';

// Dr Rao's announcement to Ward 3B: she is its one admin; Dr Okafor and Meera Nair are recipients.
const RAO = 'dr.rao';
const OKAFOR = 'dr.okafor';
const NAIR = 'meera.nair';
const created = {
  seq: 1,
  envelopeId: 'e1',
  senderUserId: RAO,
  change: {
    op: 'create' as const,
    conversationKind: 'announcement' as const,
    members: [RAO, OKAFOR, NAIR],
    admins: [RAO],
  },
};

describe('the posting rule of an announcement', () => {
  it('lets only its admin post messages after its create entry', () => {
    const { fold, rejected } = foldControl([created], { selfUserId: OKAFOR });
    expect(rejected).toEqual([]);
    expect(fold.state().kind).toBe('announcement');
    expect(fold.mayPostAt(RAO, 2)).toBe(true);
    expect(fold.mayPostAt(OKAFOR, 2)).toBe(false);
    expect(fold.mayPostAt(NAIR, 9)).toBe(false);
    expect(fold.mayPostAt(RAO, 1)).toBe(false); // nothing before (or at) the create entry
  });

  it('keeps an admin who left from posting after she left, not before', () => {
    const left = { seq: 5, envelopeId: 'e5', senderUserId: RAO, change: { op: 'leave' as const } };
    const { fold } = foldControl([created, left], { selfUserId: OKAFOR });
    expect(fold.mayPostAt(RAO, 4)).toBe(true);
    expect(fold.mayPostAt(RAO, 6)).toBe(false);
  });

  it('refuses adding recipients to an announcement (its members are fixed: a new list is a new announcement)', () => {
    const add = {
      seq: 3,
      envelopeId: 'e3',
      senderUserId: RAO,
      change: {
        op: 'add' as const,
        userIds: ['dr.fischer'],
        members: [RAO, OKAFOR, NAIR, 'dr.fischer'],
        admins: [RAO],
        name: null,
        retentionDays: null,
      },
    };
    expect(foldControl([created, add], { selfUserId: OKAFOR }).rejected).toEqual([
      { envelopeId: 'e3', reason: 'control-not-allowed' },
    ]);
  });

  it('leaves groups and direct conversations as they were: every member posts', () => {
    const group = { ...created, change: { ...created.change, conversationKind: 'group' as const } };
    const { fold } = foldControl([group], { selfUserId: OKAFOR });
    expect(fold.mayPostAt(OKAFOR, 2)).toBe(true);
  });
});
