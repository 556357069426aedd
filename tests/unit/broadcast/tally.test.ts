import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { BroadcastTally } from '../../../src/main/core/broadcast/tally';

// Dr Asha Rao announces at seq 10 to the three Ward 3B staff below.
const staff = ['nurse.mensah', 'dr.okafor', 'opd.desk2'];
const announcement = () => new BroadcastTally(10, staff);

describe('announcement counts', () => {
  it('counts each recipient once per kind, however many devices or duplicates report it', () => {
    const t = announcement();
    t.receipt('dr.okafor', 'delivered', 10);
    t.receipt('dr.okafor', 'delivered', 10); // the same receipt again
    t.receipt('dr.okafor', 'delivered', 12); // a later one from his second workstation
    expect(t.counts()).toEqual({ recipients: 3, delivered: 1, read: 0, acknowledged: 0 });
  });

  it('ignores receipts from anyone who is not a recipient, the sender included', () => {
    const t = announcement();
    t.receipt('dr.rao', 'read', 10); // the sender
    t.receipt('stranger.from.ward9', 'read', 10);
    t.acknowledgement('stranger.from.ward9');
    expect(t.counts()).toEqual({ recipients: 3, delivered: 0, read: 0, acknowledged: 0 });
  });

  it('takes receipts as cumulative: one at or after the announcement covers it, one before does not', () => {
    const t = announcement();
    t.receipt('nurse.mensah', 'read', 9);
    expect(t.counts().read).toBe(0);
    t.receipt('nurse.mensah', 'read', 14);
    expect(t.counts()).toMatchObject({ delivered: 1, read: 1 });
  });

  it("never counts the hub's word for an acknowledgement", () => {
    const t = announcement();
    t.receipt('opd.desk2', 'acknowledged', 10);
    expect(t.counts()).toEqual({ recipients: 3, delivered: 0, read: 0, acknowledged: 0 });
  });

  it('counts a signed acknowledgement without a read receipt as read and delivered too', () => {
    const t = announcement();
    t.acknowledgement('dr.okafor');
    expect(t.counts()).toEqual({ recipients: 3, delivered: 1, read: 1, acknowledged: 1 });
    expect(t.notYet('read')).toEqual(['nurse.mensah', 'opd.desk2']);
    expect(t.notYet('acknowledged')).toEqual(['nurse.mensah', 'opd.desk2']);
  });

  it('lists who has not read and who has not acknowledged, shrinking as they do', () => {
    const t = announcement();
    expect(t.notYet('read')).toEqual(['dr.okafor', 'nurse.mensah', 'opd.desk2']);
    t.receipt('nurse.mensah', 'read', 11);
    expect(t.notYet('read')).toEqual(['dr.okafor', 'opd.desk2']);
    expect(t.notYet('acknowledged')).toEqual(['dr.okafor', 'nurse.mensah', 'opd.desk2']);
  });

  it('keeps acknowledged ≤ read ≤ delivered ≤ recipients, whatever order the news arrives in', () => {
    const users = fc.constantFrom(...staff, 'dr.rao', 'stranger');
    const event = fc.oneof(
      fc.record({
        type: fc.constant('receipt' as const),
        userId: users,
        kind: fc.constantFrom('delivered' as const, 'read' as const, 'acknowledged' as const),
        seq: fc.integer({ min: 1, max: 20 }),
      }),
      fc.record({ type: fc.constant('ack' as const), userId: users }),
    );
    fc.assert(
      fc.property(fc.array(event, { maxLength: 60 }), (events) => {
        const t = announcement();
        for (const e of events)
          if (e.type === 'ack') t.acknowledgement(e.userId);
          else t.receipt(e.userId, e.kind, e.seq);
        const c = t.counts();
        expect(c.acknowledged).toBeLessThanOrEqual(c.read);
        expect(c.read).toBeLessThanOrEqual(c.delivered);
        expect(c.delivered).toBeLessThanOrEqual(c.recipients);
        expect(t.notYet('read').length).toBe(c.recipients - c.read);
        // The same news in reverse order gives the same counts (a set, not a sequence).
        const r = announcement();
        for (const e of [...events].reverse())
          if (e.type === 'ack') r.acknowledgement(e.userId);
          else r.receipt(e.userId, e.kind, e.seq);
        expect(r.counts()).toEqual(c);
      }),
    );
  });
});
