import { describe, expect, it } from 'vitest';
import { createAuditLog } from '../../../src/main/core/audit';
import { tempStore } from '../store/helpers';

function logWithEvents(n: number) {
  const { store } = tempStore();
  const audit = createAuditLog(store);
  for (let i = 0; i < n; i++) audit.append({ kind: 'pin-failed', details: { failedAttempts: i + 1 } });
  return { store, audit };
}

describe('audit log', () => {
  it('appends events in order and lists newest first', () => {
    const { audit } = logWithEvents(0);
    audit.append({ kind: 'sign-in', at: '2025-01-01T08:00:00.000Z', details: { userId: 'u1' } });
    audit.append({ kind: 'lock', details: { reason: 'idle' } });
    audit.append({ kind: 'unlock' });
    const events = audit.list({ limit: 2 });
    expect(events.map((e) => e.kind)).toEqual(['unlock', 'lock']);
    expect(audit.list().map((e) => e.seq)).toEqual([3, 2, 1]);
    expect(audit.list().at(-1)).toEqual({
      seq: 1,
      kind: 'sign-in',
      at: '2025-01-01T08:00:00.000Z',
      details: { userId: 'u1' },
    });
    expect(audit.verify()).toEqual({ ok: true, count: 3 });
  });

  it('refuses unknown kinds and details that are not a small flat record', () => {
    const { audit } = logWithEvents(0);
    // @ts-expect-error an unknown kind
    expect(() => audit.append({ kind: 'message-sent' })).toThrow(
      expect.objectContaining({ code: 'invalid_args' }),
    );
    expect(() =>
      // @ts-expect-error nested objects are not allowed
      audit.append({ kind: 'lock', details: { patient: { name: 'Jane Doe' } } }),
    ).toThrow(expect.objectContaining({ code: 'invalid_args' }));
    expect(() => audit.append({ kind: 'lock', details: { note: 'x'.repeat(500) } })).toThrow(
      expect.objectContaining({ code: 'invalid_args' }),
    );
    expect(audit.list()).toEqual([]);
  });

  it('detects an altered row', () => {
    const { store, audit } = logWithEvents(5);
    store.db.prepare('UPDATE audit_events SET details = \'{"failedAttempts":1}\' WHERE seq = 3').run();
    expect(audit.verify()).toEqual({ ok: false, seq: 3, reason: 'altered' });
  });

  it('detects a row whose kind or time was changed', () => {
    const { store, audit } = logWithEvents(4);
    store.db.prepare("UPDATE audit_events SET kind = 'unlock' WHERE seq = 2").run();
    expect(audit.verify()).toMatchObject({ ok: false, seq: 2 });
  });

  it('detects a deleted row in the middle', () => {
    const { store, audit } = logWithEvents(5);
    store.db.prepare('DELETE FROM audit_events WHERE seq = 2').run();
    expect(audit.verify()).toEqual({ ok: false, seq: 2, reason: 'missing' });
  });

  it('detects a deleted and renumbered row (the chain breaks at the next row)', () => {
    const { store, audit } = logWithEvents(5);
    store.transaction(() => {
      store.db.prepare('DELETE FROM audit_events WHERE seq = 2').run();
      store.db.prepare('UPDATE audit_events SET seq = seq - 1 WHERE seq > 2').run();
    });
    expect(audit.verify()).toMatchObject({ ok: false, seq: 2, reason: 'altered' });
  });

  it('detects rows removed from the end', () => {
    const { store, audit } = logWithEvents(5);
    store.db.prepare('DELETE FROM audit_events WHERE seq >= 4').run();
    expect(audit.verify()).toEqual({ ok: false, seq: 4, reason: 'truncated' });
  });

  it('keeps the chain across reopening the store', async () => {
    const { openProfileStore } = await import('../../../src/main/core/store');
    const { store, file, key } = tempStore();
    createAuditLog(store).append({ kind: 'sign-in' });
    store.close();
    const again = openProfileStore({ file, key });
    const audit = createAuditLog(again);
    audit.append({ kind: 'sign-out' });
    expect(audit.verify()).toEqual({ ok: true, count: 2 });
    again.close();
  });
});
