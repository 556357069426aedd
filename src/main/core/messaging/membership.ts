import type { HubClient } from '../hub';
import type { MembershipChange } from '../../../shared/hub-protocol';

/**
 * Who was a member of a conversation when: from the hub's membership history. A member added with
 * `afterSeq: n` may send envelopes with seq > n, until a later removal takes effect the same way.
 * The hub's word, so only a hint: conversation-state.ts judges by it only where the signed chain does not
 * decide (before a conversation's create or snapshot entry, or before this user joined).
 */
export interface Membership {
  load(conversationId: string): Promise<void>;
  apply(changes: MembershipChange[]): void;
  memberAt(conversationId: string, userId: string, seq: number): boolean;
  known(conversationId: string): boolean;
  changes(conversationId: string): MembershipChange[];
}

export function createMembership(hub: Pick<HubClient, 'call'>): Membership {
  const history = new Map<string, MembershipChange[]>();
  // Read whole from the hub; changes from events alone (a MembershipChanged names only the latest) are not.
  const loaded = new Set<string>();
  const apply = (changes: MembershipChange[]): void => {
    for (const change of changes) {
      const list = history.get(change.conversationId) ?? [];
      if (!list.some((c) => c.changeSeq === change.changeSeq)) list.push(change);
      list.sort((a, b) => a.changeSeq - b.changeSeq);
      history.set(change.conversationId, list);
    }
  };
  return {
    async load(conversationId) {
      const { changes } = await hub.call('GetMembershipHistory', { conversationId });
      history.set(conversationId, []);
      apply(changes);
      loaded.add(conversationId);
    },
    apply,
    known: (conversationId) => loaded.has(conversationId),
    changes: (conversationId) => [...(history.get(conversationId) ?? [])],
    memberAt(conversationId, userId, seq) {
      let member = false;
      for (const change of history.get(conversationId) ?? []) {
        if (change.userId !== userId || change.afterSeq >= seq) continue;
        member = change.kind === 'added';
      }
      return member;
    },
  };
}
