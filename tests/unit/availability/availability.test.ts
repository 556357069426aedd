// Availability on one profile: what Dr Rao may set (Do not disturb until a time still to come, at most 24
// hours ahead), what a hub's word about a colleague is taken as, that her own setting survives a restart of
// the app, and that her Do not disturb ends on time (once) and then counts as Available.
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import fc from 'fast-check';
import { afterEach, describe, expect, it } from 'vitest';
import {
  checkChoice,
  createAvailability,
  current,
  fromHub,
  notifiesNow,
} from '../../../src/main/core/availability';
import { AppError } from '../../../src/main/core/errors';
import { createEventBus } from '../../../src/main/core/events/event-bus';
import { createHubClient } from '../../../src/main/core/hub';
import { createLogger } from '../../../src/main/core/log/logger';
import { openProfileStore, type ProfileStore } from '../../../src/main/core/store';

const t0 = Date.parse('2026-12-03T09:00:00.000Z');
const minutes = (n: number) => n * 60_000;
const at = (ms: number) => new Date(ms).toISOString();

function refusal(fn: () => unknown): string {
  try {
    fn();
  } catch (err) {
    expect(err).toBeInstanceOf(AppError);
    return (err as AppError).code + ': ' + (err as AppError).message;
  }
  throw new Error('accepted');
}

describe('what Dr Rao may set', () => {
  it('takes each status, and Do not disturb only with an end in the next 24 hours', () => {
    for (const status of ['available', 'busy', 'in_theatre', 'off_shift'] as const)
      expect(checkChoice({ status }, t0)).toEqual({ status, until: null });
    expect(checkChoice({ status: 'dnd', until: '2026-12-03T10:30:00+01:00' }, t0)).toEqual({
      status: 'dnd',
      until: '2026-12-03T09:30:00.000Z',
    });
    expect(refusal(() => checkChoice({ status: 'dnd' }, t0))).toMatch(/availability_invalid: Choose when/);
    expect(refusal(() => checkChoice({ status: 'dnd', until: at(t0) }, t0))).toMatch(/still to come/);
    expect(refusal(() => checkChoice({ status: 'dnd', until: at(t0 + minutes(24 * 60 + 1)) }, t0))).toMatch(
      /at most 24 hours/,
    );
    expect(refusal(() => checkChoice({ status: 'busy', until: at(t0 + minutes(5)) }, t0))).toMatch(
      /Only Do not disturb/,
    );
  });

  it('never accepts a Do not disturb end outside (now, now + 24 h], whatever the time', () => {
    fc.assert(
      fc.property(fc.integer({ min: -minutes(48 * 60), max: minutes(48 * 60) }), (offset) => {
        const until = at(t0 + offset);
        let accepted: boolean;
        try {
          checkChoice({ status: 'dnd', until }, t0);
          accepted = true;
        } catch {
          accepted = false;
        }
        expect(accepted).toBe(offset > 0 && offset <= minutes(24 * 60));
      }),
    );
  });
});

describe("a colleague's status, as the hub says it", () => {
  it('keeps statuses, drops a Do not disturb without a real end or too far ahead, and ends it on time', () => {
    const setAt = at(t0);
    expect(fromHub(undefined, t0)).toBeUndefined();
    expect(fromHub(null, t0)).toBeNull();
    expect(fromHub({ status: 'in_theatre', until: at(t0 + 5), setAt }, t0)).toEqual({
      status: 'in_theatre',
      until: null,
    });
    expect(fromHub({ status: 'dnd', until: null, setAt }, t0)).toBeNull();
    expect(fromHub({ status: 'dnd', until: 'soon', setAt }, t0)).toBeNull();
    expect(fromHub({ status: 'dnd', until: at(t0 + minutes(40 * 60)), setAt }, t0)).toBeNull();
    expect(fromHub({ status: 'dnd', until: at(t0 - 1), setAt }, t0)).toBeNull();
    const dnd = fromHub({ status: 'dnd', until: at(t0 + minutes(30)), setAt }, t0)!;
    expect(dnd).toEqual({ status: 'dnd', until: at(t0 + minutes(30)) });
    expect(current(dnd, t0 + minutes(30) - 1)).toEqual(dnd);
    expect(current(dnd, t0 + minutes(30))).toBeNull();
  });

  it('lets urgent messages through Do not disturb and holds routine ones', () => {
    expect(notifiesNow({ urgent: true }, true)).toBe(true);
    expect(notifiesNow({ urgent: false }, true)).toBe(false);
    expect(notifiesNow({ urgent: false }, false)).toBe(true);
  });
});

describe("Dr Rao's own setting on WARD3B-PC01", () => {
  let dir: string;
  let store: ProfileStore | null = null;
  afterEach(() => {
    store?.close();
    store = null;
    rmSync(dir, { recursive: true, force: true });
  });

  it('survives a restart, is published later when the hub is away, and ends its Do not disturb once, on time', async () => {
    dir = mkdtempSync(join(tmpdir(), 'cm-availability-'));
    const key = randomBytes(32);
    const file = join(dir, 'profile.db');
    const log = createLogger({ level: 'silent' });
    // A hub client never started: the hub is away, every call is refused as unreachable.
    const hub = createHubClient({
      url: 'https://127.0.0.1:9/hub',
      getAccessToken: () => Promise.resolve('t'),
      log,
    });
    let now = t0;
    const timers: { fn: () => void; due: number }[] = [];
    const open = () => {
      store = openProfileStore({ file, key });
      return createAvailability({
        hub,
        store,
        selfUserId: 'u-asha',
        events: createEventBus(),
        log,
        fetchPresence: () => Promise.reject(new Error('offline')),
        now: () => now,
        setTimer: (fn, ms) => {
          const timer = { fn, due: now + ms };
          timers.push(timer);
          return timer;
        },
        clearTimer: (t) => void timers.splice(timers.indexOf(t as (typeof timers)[number]) >>> 0, 1),
      });
    };
    const advanceTo = (ms: number) => {
      now = ms;
      for (const t of timers.filter((x) => x.due <= ms)) {
        timers.splice(timers.indexOf(t), 1);
        t.fn();
      }
    };

    let asha = open();
    asha.start();
    expect(asha.mine()).toEqual({ availability: { status: 'available', until: null }, published: true });
    const until = at(t0 + minutes(45));
    expect(await asha.set({ status: 'dnd', until })).toEqual({
      availability: { status: 'dnd', until },
      published: false,
    });
    await expect(asha.set({ status: 'dnd', until: at(t0 + minutes(25 * 60)) })).rejects.toMatchObject({
      code: 'availability_invalid',
    });
    asha.dispose();
    store!.close();

    // The app restarts: her Do not disturb is still hers, and ends at 09:45.
    asha = open();
    asha.start();
    const ended: number[] = [];
    asha.onDoNotDisturbEnded(() => ended.push(now));
    expect(asha.mine().availability).toEqual({ status: 'dnd', until });
    expect(asha.doNotDisturb()).toBe(true);
    advanceTo(t0 + minutes(44));
    expect(asha.doNotDisturb()).toBe(true);
    expect(ended).toEqual([]);
    advanceTo(t0 + minutes(46));
    expect(asha.doNotDisturb()).toBe(false);
    expect(asha.mine().availability).toEqual({ status: 'available', until: null });
    expect(ended).toEqual([t0 + minutes(46)]);
    advanceTo(t0 + minutes(120));
    expect(ended).toHaveLength(1);

    // Choosing another status ends a Do not disturb at once.
    await asha.set({ status: 'dnd', until: at(now + minutes(30)) });
    await asha.set({ status: 'in_theatre' });
    expect(ended).toHaveLength(2);
    expect(asha.availabilityOf('u-asha')).toEqual({ status: 'in_theatre', until: null });
    expect(asha.availabilityOf('u-samuel')).toBeNull();
    asha.dispose();
  });
});
