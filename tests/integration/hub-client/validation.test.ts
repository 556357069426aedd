// The hub client's guards, fed by hand: malformed events and results must never reach the app, are
// reported without their contents, and each kind of invoke failure gets its typed error. No hub needed.
import { describe, expect, it, vi } from 'vitest';
import { HubEvent, HubMethod } from '../../../src/shared/hub-protocol';
import { AppError } from '../../../src/main/core/errors';
import {
  backoffDelay,
  checkHubResult,
  classifyInvokeFailure,
  foreverRetryPolicy,
  guardEventHandler,
  HubCallError,
  type ProtocolViolation,
} from '../../../src/main/core/hub';
import { memoryLogger } from './helpers';

const secret = 'PATIENT Jane Example, bed 12, potassium 6.9';
const validEnvelope = {
  conversationId: 'c0ffee00-0000-4000-8000-000000000001',
  seq: 7,
  envelopeId: '5b7a1c2e-3f4d-4e5f-8a9b-0c1d2e3f4a5b',
  senderUserId: 'user-1',
  senderDeviceId: 'device-1',
  payload: Buffer.from(secret).toString('base64'),
  serverTime: '2026-11-21T20:00:17.123Z',
};

function sink() {
  const logs = memoryLogger();
  const violations: ProtocolViolation[] = [];
  return {
    logs,
    violations,
    sink: { log: logs.log, onProtocolViolation: (v: ProtocolViolation) => void violations.push(v) },
  };
}

describe('event validation wrapper', () => {
  it('passes a valid event to the handler, parsed', () => {
    const { sink: s, violations } = sink();
    const seen: unknown[] = [];
    guardEventHandler(HubEvent.Envelope, (e) => void seen.push(e), s)(validEnvelope);
    expect(seen).toEqual([validEnvelope]);
    expect(violations).toEqual([]);
  });

  it('drops malformed events before the handler and reports them with ids only, never contents', () => {
    const { sink: s, violations, logs } = sink();
    const seen: unknown[] = [];
    const wrapped = guardEventHandler(HubEvent.Envelope, (e) => void seen.push(e), s);
    const bad: unknown[][] = [
      [{ ...validEnvelope, payload: `${secret} (not base64)` }],
      [{ ...validEnvelope, seq: -1 }],
      [{ ...validEnvelope, envelopeId: 'not-a-uuid' }],
      [{ ...validEnvelope, conversationId: undefined }],
      [secret],
      [null],
      [validEnvelope, { extra: secret }], // two arguments: not the protocol
      [],
    ];
    for (const args of bad) wrapped(...args);
    expect(seen).toEqual([]);
    expect(violations).toHaveLength(bad.length);
    expect(violations[0]).toMatchObject({
      kind: 'event',
      name: 'Envelope',
      issues: [{ path: 'payload' }],
      ids: { conversationId: validEnvelope.conversationId, envelopeId: validEnvelope.envelopeId, seq: 7 },
    });
    expect(violations[1]!.issues.map((i) => i.path)).toEqual(['seq']);
    expect(violations[3]!.issues.map((i) => i.path)).toEqual(['conversationId']);
    const logged = logs.text();
    // One line for the burst (a flood is not a line per item); each violation still reaches the callback.
    expect(logs.lines.filter((l) => l.includes('does not follow the protocol'))).toHaveLength(1);
    expect(logged).not.toContain('PATIENT');
    expect(logged).not.toContain(validEnvelope.payload);
    expect(logged).toContain(validEnvelope.envelopeId); // ids are what support needs
  });

  it('logs a flood of bad pushes once per 10 s, with the count it did not log', () => {
    vi.useFakeTimers({ toFake: ['Date'] });
    try {
      const { sink: s, violations, logs } = sink();
      const wrapped = guardEventHandler(HubEvent.Envelope, () => undefined, s);
      for (let i = 0; i < 1_000; i++) wrapped({ ...validEnvelope, seq: -i });
      const lines = () => logs.lines.filter((l) => l.includes('does not follow the protocol'));
      expect(violations).toHaveLength(1_000);
      expect(lines()).toHaveLength(1);
      vi.advanceTimersByTime(10_001);
      wrapped({ ...validEnvelope, seq: -1 });
      expect(lines()).toHaveLength(2);
      expect(lines()[1]).toContain('"unloggedBefore":999');
    } finally {
      vi.useRealTimers();
    }
  });

  it('checks each event against its own schema (a DeviceRevoked without revokedAt is dropped)', () => {
    const { sink: s, violations } = sink();
    const seen: unknown[] = [];
    const wrapped = guardEventHandler(HubEvent.DeviceRevoked, (e) => void seen.push(e), s);
    wrapped({ deviceId: 'd-1', userId: 'u-1' });
    wrapped({ deviceId: 'd-1', userId: 'u-1', revokedAt: '2026-11-21T20:00:17.123Z' });
    expect(seen).toEqual([{ deviceId: 'd-1', userId: 'u-1', revokedAt: '2026-11-21T20:00:17.123Z' }]);
    expect(violations.map((v) => v.issues[0]?.path)).toEqual(['revokedAt']);
  });

  it('keeps delivering after a handler throws', () => {
    const { sink: s, logs } = sink();
    let calls = 0;
    const wrapped = guardEventHandler(
      HubEvent.Presence,
      () => {
        calls++;
        throw new Error(secret);
      },
      s,
    );
    const presence = { userId: 'u-1', online: true, lastSeen: null };
    wrapped(presence);
    wrapped(presence);
    expect(calls).toBe(2);
    expect(logs.text()).not.toContain('PATIENT');
  });
});

describe('result validation', () => {
  it('returns a valid result and turns a malformed one into hub_protocol_error', () => {
    const { sink: s, violations, logs } = sink();
    const good = {
      conversationId: validEnvelope.conversationId,
      envelopeId: validEnvelope.envelopeId,
      seq: 3,
      serverTime: validEnvelope.serverTime,
      duplicate: false,
    };
    expect(checkHubResult(HubMethod.Send, good, s)).toEqual(good);
    for (const bad of [{ ...good, seq: '3' }, { ...good, duplicate: undefined }, null, secret, []]) {
      let caught: unknown;
      try {
        checkHubResult(HubMethod.Send, bad, s);
      } catch (err) {
        caught = err;
      }
      expect(caught).toBeInstanceOf(AppError);
      expect((caught as AppError).code).toBe('hub_protocol_error');
    }
    expect(violations).toHaveLength(5);
    expect(violations[0]).toMatchObject({ kind: 'result', name: 'Send', issues: [{ path: 'seq' }] });
    expect(logs.text()).not.toContain('PATIENT');
  });

  it('accepts what Typing answers (nothing) and nothing else', () => {
    const { sink: s } = sink();
    expect(checkHubResult(HubMethod.Typing, null, s)).toBeNull();
    expect(checkHubResult(HubMethod.Typing, undefined, s)).toBeUndefined();
    expect(() => checkHubResult(HubMethod.Typing, { ok: true }, s)).toThrow(AppError);
  });
});

describe('invoke failure classification', () => {
  // Hand-made errors shaped like what the SignalR client throws; named as fakes.
  const fakeSignalrHubException = (json: string) =>
    new Error(`An unexpected error occurred invoking 'Send' on the server. HubException: ${json}`);

  it('a typed HubException becomes HubCallError with its code (and retryAfterMs)', () => {
    const forbidden = classifyInvokeFailure(
      HubMethod.Send,
      fakeSignalrHubException('{"code":"forbidden","message":"not a member"}'),
    );
    expect(forbidden).toBeInstanceOf(HubCallError);
    expect(forbidden).toMatchObject({ code: 'hub_refused', hubCode: 'forbidden', method: 'Send' });
    const limited = classifyInvokeFailure(
      HubMethod.Send,
      fakeSignalrHubException('{"code":"rate_limited","message":"slow down","retryAfterMs":250}'),
    );
    expect(limited).toMatchObject({ hubCode: 'rate_limited', retryAfterMs: 250 });
  });

  it('an untyped or unknown refusal is a protocol error; a lost connection is hub_unreachable', () => {
    expect(
      classifyInvokeFailure(HubMethod.Send, fakeSignalrHubException('{"code":"teapot","message":"?"}')).code,
    ).toBe('hub_protocol_error');
    expect(
      classifyInvokeFailure(
        HubMethod.Send,
        new Error("An unexpected error occurred invoking 'Send' on the server."),
      ).code,
    ).toBe('hub_protocol_error');
    expect(
      classifyInvokeFailure(
        HubMethod.Send,
        new Error('Invocation canceled due to the underlying connection being closed.'),
      ).code,
    ).toBe('hub_unreachable');
    expect(
      classifyInvokeFailure(
        HubMethod.Send,
        new Error("Cannot send data if the connection is not in the 'Connected' State."),
      ).code,
    ).toBe('hub_unreachable');
  });
});

describe('reconnect backoff', () => {
  it('never gives up, stays within the capped, growing ceiling, and uses the whole jitter range', () => {
    const options = { initialMs: 100, maxMs: 5_000 };
    const policy = foreverRetryPolicy({ ...options, random: () => 0.999999 });
    const retryReason = new Error('lost');
    for (const previousRetryCount of [0, 1, 2, 5, 10, 100, 10_000]) {
      const delay = policy.nextRetryDelayInMilliseconds({
        previousRetryCount,
        elapsedMilliseconds: 0,
        retryReason,
      });
      expect(delay).not.toBeNull();
      expect(delay).toBeLessThanOrEqual(Math.min(5_000, 100 * 2 ** previousRetryCount));
    }
    expect(backoffDelay(0, { ...options, random: () => 0.999 })).toBe(99);
    expect(backoffDelay(3, { ...options, random: () => 0.5 })).toBe(400);
    expect(backoffDelay(50, { ...options, random: () => 0.5 })).toBe(2_500);
    expect(backoffDelay(50, { ...options, random: () => 0 })).toBe(0);
    // A broken random source cannot push a delay past the cap or below zero.
    expect(backoffDelay(50, { ...options, random: () => 7 })).toBe(5_000);
    expect(backoffDelay(50, { ...options, random: () => Number.NaN })).toBe(0);
  });
});
