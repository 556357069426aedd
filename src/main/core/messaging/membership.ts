import type { HubClient } from '../hub';
import type { MembershipChange } from '../../../shared/hub-protocol';

/**
 * Who was a member of a conversation when: from the hub's membership history. A member added with
 * `afterSeq: n` may send envelopes with seq > n, until a later removal takes effect the same way.
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
    },
    apply,
    known: (conversationId) => history.has(conversationId),
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
