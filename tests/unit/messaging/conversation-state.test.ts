// The fold of a conversation's control entries (docs/envelope-format.md, control entries): who may change
// what, in which order, and what each refused entry leaves unchanged.
import { describe, expect, it } from 'vitest';
import type { ControlChange } from '../../../src/main/core/envelope';
import {
  ConversationFold,
  foldControl,
  type ControlEntry,
  type FoldContext,
} from '../../../src/main/core/messaging/conversation-state';

const ASHA = 'asha';
const SAMUEL = 'samuel';
const LENA = 'lena';
const OMAR = 'omar';
const me: FoldContext = { selfUserId: ASHA, creator: ASHA };

let n = 0;
const entry = (seq: number, senderUserId: string, change: ControlChange): ControlEntry => ({
  seq,
  envelopeId: `e-${seq}-${++n}`,
  senderUserId,
  change,
});
const createGroup = (seq = 1, by = ASHA, members = [ASHA, SAMUEL, LENA]): ControlEntry =>
  entry(seq, by, { op: 'create', conversationKind: 'group', members, admins: [by] });
const add = (seq: number, by: string, userIds: string[], members: string[], admins = [ASHA]) =>
  entry(seq, by, { op: 'add', userIds, members, admins, name: null, retentionDays: null });

function group(): ConversationFold {
  const fold = new ConversationFold();
  expect(fold.apply(createGroup(), me)).toBeNull();
  return fold;
}

describe('create', () => {
  it('confirms the state it names; members from after its seq', () => {
    const fold = new ConversationFold();
    expect(fold.state()).toMatchObject({ status: 'unconfirmed', members: [], baseSeq: null });
    expect(fold.apply(createGroup(3), me)).toBeNull();
    expect(fold.state()).toMatchObject({
      status: 'confirmed',
      kind: 'group',
      creator: ASHA,
      members: [ASHA, LENA, SAMUEL],
      admins: [ASHA],
      baseSeq: 3,
      lastSeq: 3,
    });
    expect(fold.memberAt(SAMUEL, 4)).toBe(true);
    expect(fold.memberAt(OMAR, 4)).toBe(false);
    // at or before the base the chain does not decide (the hub's history does, as before)
    expect(fold.memberAt(SAMUEL, 3)).toBeNull();
  });

  it('is refused from anyone but the creator the hub records, and a second one is out of order', () => {
    const fold = new ConversationFold();
    expect(fold.apply(createGroup(1, SAMUEL, [ASHA, SAMUEL]), me)).toBe('control-not-allowed');
    expect(fold.state().status).toBe('unconfirmed');
    expect(fold.apply(createGroup(2), me)).toBeNull();
    expect(fold.apply(createGroup(3, ASHA, [ASHA, SAMUEL, OMAR]), me)).toBe('control-out-of-order');
    expect(fold.state().members).toEqual([ASHA, LENA, SAMUEL]);
  });

  it('never makes a direct conversation of more than two', () => {
    const fold = new ConversationFold();
    const three = entry(1, ASHA, {
      op: 'create',
      conversationKind: 'direct',
      members: [ASHA, SAMUEL, OMAR],
      admins: [ASHA],
    });
    expect(fold.apply(three, me)).toBe('control-not-allowed');
    expect(fold.state().status).toBe('unconfirmed');
  });

  it('is invalid when its admins are not members, the signer is no admin, or a member is named twice', () => {
    const bad = [
      { op: 'create', conversationKind: 'group', members: [ASHA, SAMUEL], admins: [ASHA, OMAR] },
      { op: 'create', conversationKind: 'group', members: [ASHA, SAMUEL], admins: [SAMUEL] },
      { op: 'create', conversationKind: 'group', members: [ASHA, SAMUEL, SAMUEL], admins: [ASHA] },
    ] as const;
    for (const change of bad) {
      const fold = new ConversationFold();
      expect(fold.apply(entry(1, ASHA, change as unknown as ControlChange), me)).toBe('control-invalid');
      expect(fold.state().status).toBe('unconfirmed');
    }
  });
});

describe('changes after create', () => {
  it('an admin adds (stating the whole state after it) and removes; membership moves at each seq', () => {
    const fold = group();
    expect(fold.apply(add(5, ASHA, [OMAR], [ASHA, SAMUEL, LENA, OMAR]), me)).toBeNull();
    expect(fold.apply(entry(8, ASHA, { op: 'remove', userIds: [LENA] }), me)).toBeNull();
    expect(fold.state().members).toEqual([ASHA, OMAR, SAMUEL]);
    expect([fold.memberAt(OMAR, 5), fold.memberAt(OMAR, 6)]).toEqual([false, true]);
    expect([fold.memberAt(LENA, 8), fold.memberAt(LENA, 9)]).toEqual([true, false]);
  });

  it('refuses an add or remove by a member who is not an admin, and changes nothing', () => {
    const fold = group();
    const before = fold.state();
    expect(fold.apply(add(2, SAMUEL, [OMAR], [ASHA, SAMUEL, LENA, OMAR]), me)).toBe('control-not-allowed');
    expect(fold.apply(entry(3, SAMUEL, { op: 'remove', userIds: [LENA] }), me)).toBe('control-not-allowed');
    expect(fold.apply(entry(4, SAMUEL, { op: 'rename', name: 'Ward 3B' }), me)).toBe('control-not-allowed');
    expect(fold.apply(entry(5, SAMUEL, { op: 'retention', days: 7 }), me)).toBe('control-not-allowed');
    expect(fold.state()).toEqual(before);
  });

  it('refuses a change from someone who is not a member', () => {
    const fold = group();
    expect(fold.apply(entry(2, OMAR, { op: 'leave' }), me)).toBe('control-not-allowed');
    expect(fold.apply(add(3, OMAR, [OMAR], [ASHA, SAMUEL, LENA, OMAR], [OMAR]), me)).toBe(
      'control-not-allowed',
    );
    expect(fold.state().members).toEqual([ASHA, LENA, SAMUEL]);
  });

  it('refuses an add whose stated state is not the fold’s', () => {
    const fold = group();
    // leaves Lena out of the stated members
    expect(fold.apply(add(2, ASHA, [OMAR], [ASHA, SAMUEL, OMAR]), me)).toBe('control-invalid');
    // makes Omar an admin on the side
    expect(fold.apply(add(3, ASHA, [OMAR], [ASHA, SAMUEL, LENA, OMAR], [ASHA, OMAR]), me)).toBe(
      'control-invalid',
    );
    // adds someone already there
    expect(fold.apply(add(4, ASHA, [SAMUEL], [ASHA, SAMUEL, LENA]), me)).toBe('control-invalid');
    expect(fold.state().members).toEqual([ASHA, LENA, SAMUEL]);
  });

  it('lets any member leave; a leaving admin is no longer one', () => {
    const fold = group();
    expect(fold.apply(entry(2, SAMUEL, { op: 'leave' }), me)).toBeNull();
    expect(fold.apply(entry(3, ASHA, { op: 'leave' }), me)).toBeNull();
    expect(fold.state()).toMatchObject({ members: [LENA], admins: [] });
  });

  it('renames and sets retention by an admin', () => {
    const fold = group();
    expect(fold.apply(entry(2, ASHA, { op: 'rename', name: 'Ward 3B handover' }), me)).toBeNull();
    expect(fold.apply(entry(3, ASHA, { op: 'retention', days: 14 }), me)).toBeNull();
    expect(fold.state()).toMatchObject({ name: 'Ward 3B handover', retentionDays: 14 });
  });

  it('a direct conversation never gains a member', () => {
    const fold = new ConversationFold();
    const direct = entry(1, ASHA, {
      op: 'create',
      conversationKind: 'direct',
      members: [ASHA, SAMUEL],
      admins: [ASHA, SAMUEL],
    });
    expect(fold.apply(direct, me)).toBeNull();
    expect(fold.apply(add(2, ASHA, [OMAR], [ASHA, SAMUEL, OMAR], [ASHA, SAMUEL]), me)).toBe(
      'control-not-allowed',
    );
    expect(fold.apply(entry(3, SAMUEL, { op: 'remove', userIds: [ASHA] }), me)).toBe('control-not-allowed');
    expect(fold.state().members).toEqual([ASHA, SAMUEL]);
  });
});

describe('order', () => {
  it('refuses changes before the conversation has a state, and entries older than the newest folded', () => {
    const fold = new ConversationFold();
    expect(fold.apply(entry(1, ASHA, { op: 'rename', name: 'x' }), me)).toBe('control-out-of-order');
    expect(fold.apply(createGroup(4), me)).toBeNull();
    expect(fold.apply(entry(3, ASHA, { op: 'rename', name: 'y' }), me)).toBe('control-out-of-order');
    expect(fold.state().name).toBeNull();
  });

  it('takes the same entry again at the same seq as already folded, at another seq as out of order', () => {
    const fold = new ConversationFold();
    const create = createGroup(2);
    expect(fold.apply(create, me)).toBeNull();
    expect(fold.apply(create, me)).toBeNull();
    expect(fold.apply({ ...create, seq: 9 }, me)).toBe('control-out-of-order');
  });

  it('folds a batch in seq order whatever order it came in, listing the refused', () => {
    const ok = add(5, ASHA, [OMAR], [ASHA, SAMUEL, LENA, OMAR]);
    const notAdmin = entry(6, SAMUEL, { op: 'remove', userIds: [OMAR] });
    const { fold, rejected } = foldControl([notAdmin, ok, createGroup(1)], me);
    expect(fold.state().members).toEqual([ASHA, LENA, OMAR, SAMUEL]);
    expect(rejected).toEqual([{ envelopeId: notAdmin.envelopeId, reason: 'control-not-allowed' }]);
  });
});

describe('snapshot (the upgrade of a conversation made before control entries)', () => {
  const snapshot = (seq: number, by = ASHA, throughSeq = seq - 1, members = [ASHA, SAMUEL]) =>
    entry(seq, by, { op: 'snapshot', conversationKind: 'direct', members, admins: members, throughSeq });

  it('confirms the hub-kept state from its seq on, by the creator only', () => {
    const fold = new ConversationFold();
    expect(fold.apply(snapshot(7, SAMUEL), me)).toBe('control-not-allowed');
    expect(fold.apply(snapshot(8, ASHA, 8), me)).toBe('control-invalid'); // cannot cover itself
    expect(fold.apply(snapshot(9), me)).toBeNull();
    expect(fold.state()).toMatchObject({ status: 'confirmed', baseSeq: 9, members: [ASHA, SAMUEL] });
    expect(fold.memberAt(SAMUEL, 5)).toBeNull(); // the history before it: the hub's, as it was judged
  });

  it('happens once: a restatement of exactly what stands (another PC of the creator) changes nothing', () => {
    const fold = new ConversationFold();
    expect(fold.apply(snapshot(3), me)).toBeNull();
    expect(fold.apply(snapshot(4), me)).toBeNull();
    expect(fold.apply(snapshot(5, ASHA, 4, [ASHA, SAMUEL, OMAR]), me)).toBe('control-out-of-order');
    expect(fold.state()).toMatchObject({ baseSeq: 3, members: [ASHA, SAMUEL] });
  });
});

describe('a member added later', () => {
  it('starts from the add that names them (they cannot open the entries before it)', () => {
    const omar: FoldContext = { selfUserId: OMAR, creator: ASHA };
    const fold = new ConversationFold();
    expect(fold.apply(entry(4, ASHA, { op: 'rename', name: 'x' }), omar)).toBe('control-out-of-order');
    const joined = entry(6, ASHA, {
      op: 'add',
      userIds: [OMAR],
      members: [ASHA, SAMUEL, OMAR],
      admins: [ASHA],
      name: 'Ward 3B',
      retentionDays: 30,
    });
    expect(fold.apply(joined, omar)).toBeNull();
    expect(fold.state()).toMatchObject({
      status: 'confirmed',
      members: [ASHA, OMAR, SAMUEL],
      admins: [ASHA],
      name: 'Ward 3B',
      retentionDays: 30,
      baseSeq: 6,
    });
    expect(fold.apply(entry(7, SAMUEL, { op: 'leave' }), omar)).toBeNull();
    expect(fold.state().members).toEqual([ASHA, OMAR]);
  });

  it('does not start from an add whose signer is not among the admins it states', () => {
    const omar: FoldContext = { selfUserId: OMAR, creator: ASHA };
    const fold = new ConversationFold();
    expect(fold.apply(add(6, SAMUEL, [OMAR], [ASHA, SAMUEL, OMAR], [ASHA]), omar)).toBe('control-invalid');
    expect(fold.state().status).toBe('unconfirmed');
  });
});

describe('patient', () => {
  const petrov = { mrn: '0042817', name: 'Mr John Petrov' };

  it('an admin makes it a patient conversation and ends it; the state says so', () => {
    const fold = group();
    expect(fold.state().patient).toBeNull();
    expect(fold.apply(entry(2, ASHA, { op: 'patient', patient: petrov }), me)).toBeNull();
    expect(fold.state().patient).toEqual(petrov);
    expect(fold.apply(entry(3, ASHA, { op: 'patient', patient: null }), me)).toBeNull();
    expect(fold.state().patient).toBeNull();
  });

  it('a member who is not an admin cannot set it: refused, nothing changes', () => {
    const fold = group();
    expect(fold.apply(entry(2, SAMUEL, { op: 'patient', patient: petrov }), me)).toBe('control-not-allowed');
    expect(fold.state().patient).toBeNull();
  });

  it('an add states the patient; one that misstates it is refused, and a member added later starts from it', () => {
    const fold = group();
    expect(fold.apply(entry(2, ASHA, { op: 'patient', patient: petrov }), me)).toBeNull();
    const wrong = { ...petrov, name: 'Mr J Petrov' };
    const members = [ASHA, SAMUEL, LENA, OMAR];
    const change = (patient: typeof petrov): ControlChange => ({
      op: 'add',
      userIds: [OMAR],
      members,
      admins: [ASHA],
      name: null,
      retentionDays: null,
      patient,
    });
    expect(fold.apply(entry(3, ASHA, change(wrong)), me)).toBe('control-invalid');
    expect(fold.apply(entry(4, ASHA, change(petrov)), me)).toBeNull();
    const omar = new ConversationFold();
    expect(omar.apply(entry(4, ASHA, change(petrov)), { selfUserId: OMAR })).toBeNull();
    expect(omar.state().patient).toEqual(petrov);
  });
});
