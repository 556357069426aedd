import { z } from 'zod';
import { AvailabilityStatus } from '../../../shared/contract/availability';
import type { EventBus } from '../events/event-bus';
import type { HubClient } from '../hub';
import type { Logger } from '../log/logger';
import { getSetting, setSetting, type ProfileStore } from '../store';
import type {
  AvailabilityView,
  MyAvailabilityView,
  PresenceView,
  SetAvailabilityArgs,
} from '../../../shared/contract';
import type { HubAvailability, Presence } from '../../../shared/hub-protocol';
import { available, checkChoice, current, fromHub } from './rules';

/** This profile's own setting, in its encrypted store; `setAt` is the hub's time once published. */
const OwnSetting = z.object({
  status: AvailabilityStatus,
  until: z.string().max(64).nullable(),
  setAt: z.string().max(64).nullable(),
});
type OwnSetting = z.infer<typeof OwnSetting>;

const settingKey = 'availability';
/** Colleagues remembered at most: the directory is bounded, a hostile hub's pushes are not. */
const maxKnown = 5_000;

export interface AvailabilityService {
  /** Checks, keeps on this profile and publishes (now, or on the next connect). */
  set(args: SetAvailabilityArgs): Promise<MyAvailabilityView>;
  mine(): MyAvailabilityView;
  /** Whether this user is in Do not disturb now (routine notifications are held). */
  doNotDisturb(): boolean;
  /** Told once each time this user's Do not disturb ends (expired, or replaced by another status). */
  onDoNotDisturbEnded(handler: () => void): () => void;
  /** A colleague's availability as the hub last said (null: none known, or her Do not disturb ended). */
  availabilityOf(userId: string): AvailabilityView | null;
  /** Presence of colleagues, with their availability checked and remembered. */
  presence(userIds: string[]): Promise<PresenceView[]>;
  start(): void;
  dispose(): void;
}

export interface AvailabilityOptions {
  hub: HubClient;
  store: ProfileStore;
  selfUserId: string;
  events: EventBus;
  log: Logger;
  /** The hub's presence answer (the messaging engine's `presence`). */
  fetchPresence: (userIds: string[]) => Promise<Presence[]>;
  now?: () => number;
  setTimer?: (fn: () => void, ms: number) => unknown;
  clearTimer?: (handle: unknown) => void;
}

/**
 * Availability: this user's own status (kept on the profile, published to the hub on every connect, adopted
 * when another of her devices set a newer one) and colleagues' statuses as the hub reports them, bounded and
 * checked. It is a convenience for colleagues, never a security claim.
 */
export function createAvailability(options: AvailabilityOptions): AvailabilityService {
  const { hub, store, selfUserId, events } = options;
  const log = options.log.child({ module: 'availability' });
  const now = options.now ?? Date.now;
  const setTimer = options.setTimer ?? ((fn, ms) => setTimeout(fn, ms));
  const clearTimer = options.clearTimer ?? ((h) => clearTimeout(h as ReturnType<typeof setTimeout>));
  const known = new Map<string, AvailabilityView | null>();
  const endedHandlers = new Set<() => void>();
  const unsubscribe: (() => void)[] = [];
  let endTimer: unknown = null;
  let wasDnd = false;

  const own = (): OwnSetting | null => {
    const parsed = OwnSetting.safeParse(getSetting(store, settingKey, null));
    return parsed.success ? parsed.data : null;
  };
  const ownView = (): AvailabilityView => {
    const s = own();
    return current(s ? { status: s.status, until: s.until } : null, now()) ?? available;
  };

  /** Re-arms the end timer and tells listeners when a Do not disturb just ended. */
  const settle = (): void => {
    if (endTimer !== null) clearTimer(endTimer);
    endTimer = null;
    const view = ownView();
    const dnd = view.status === 'dnd';
    if (wasDnd && !dnd) for (const handler of endedHandlers) handler();
    wasDnd = dnd;
    if (dnd) endTimer = setTimer(settle, Math.max(0, Date.parse(view.until!) - now()) + 1);
  };

  const keepOwn = (view: AvailabilityView, setAt: string | null): void => {
    setSetting(store, settingKey, { status: view.status, until: view.until, setAt });
    settle();
  };

  const remember = (userId: string, raw: HubAvailability | null | undefined): void => {
    const view = fromHub(raw, now());
    if (view === undefined) return;
    if (userId === selfUserId) {
      // Another of her devices set this (or the hub cleared an ended Do not disturb): follow the newest.
      const mine = own();
      if (view && raw && (!mine?.setAt || raw.setAt > mine.setAt)) keepOwn(view, raw.setAt);
      return;
    }
    const before = known.get(userId);
    known.delete(userId);
    known.set(userId, view);
    if (known.size > maxKnown) known.delete(known.keys().next().value!);
    if (JSON.stringify(before ?? null) !== JSON.stringify(view))
      events.emit('directory.availability', { userId, availability: view });
  };

  const publish = async (): Promise<boolean> => {
    const mine = own();
    if (!mine) return false;
    const view = current({ status: mine.status, until: mine.until }, now()) ?? available;
    const { presence } = await hub.call('SetAvailability', {
      status: view.status,
      ...(view.until ? { until: view.until } : {}),
    });
    const setAt = presence.availability?.setAt ?? null;
    setSetting(store, settingKey, { ...view, setAt });
    return true;
  };

  const mineView = (): MyAvailabilityView => ({
    availability: ownView(),
    // Nothing set yet counts as published: colleagues see no status, which reads as Available.
    published: (own() ?? { setAt: '' }).setAt !== null,
  });

  return {
    async set(args) {
      const view = checkChoice(args, now());
      keepOwn(view, null);
      try {
        await publish();
      } catch (err) {
        // Kept on this profile and published on the next connect.
        log.warn({ code: (err as { code?: string }).code }, 'availability not published yet');
      }
      return mineView();
    },
    mine: mineView,
    doNotDisturb: () => ownView().status === 'dnd',
    onDoNotDisturbEnded(handler) {
      endedHandlers.add(handler);
      return () => endedHandlers.delete(handler);
    },
    availabilityOf(userId) {
      if (userId === selfUserId) return ownView();
      return current(known.get(userId) ?? null, now());
    },
    async presence(userIds) {
      const seen = await options.fetchPresence(userIds);
      return seen.map((p) => {
        remember(p.userId, p.availability);
        return {
          userId: p.userId,
          online: p.online,
          lastSeen: p.lastSeen,
          availability: p.userId === selfUserId ? ownView() : current(known.get(p.userId) ?? null, now()),
        };
      });
    },
    start() {
      wasDnd = ownView().status === 'dnd';
      settle();
      unsubscribe.push(
        hub.on('Presence', (p) => remember(p.userId, p.availability)),
        hub.onConnected(async () => {
          // The hub keeps the newest of her devices' settings; this profile's own is published unless older.
          const [mine] = await options.fetchPresence([selfUserId]);
          if (mine) remember(selfUserId, mine.availability);
          const local = own();
          if (local && (!local.setAt || local.setAt !== mine?.availability?.setAt)) await publish();
        }),
      );
    },
    dispose() {
      for (const off of unsubscribe.splice(0)) off();
      if (endTimer !== null) clearTimer(endTimer);
      endTimer = null;
      endedHandlers.clear();
    },
  };
}

/** Statuses in which a role's holder is not offered a message: the sender is shown the backup instead. */
const awayStatuses: ReadonlySet<AvailabilityView['status']> = new Set(['in_theatre', 'off_shift', 'dnd']);

/**
 * Role resolution's lookup (ROLES' AvailabilityLookup): each holder's status, asked from the hub now and
 * falling back to the last one it said; none known counts as available.
 */
export function holderAvailability(
  service: AvailabilityService,
): (userIds: readonly string[]) => Promise<Map<string, { available: boolean; status: string | null }>> {
  return async (userIds) => {
    if (userIds.length > 0) await service.presence([...userIds].slice(0, 200)).catch(() => undefined);
    return new Map(
      userIds.map((id) => {
        const view = service.availabilityOf(id);
        return [id, { available: !view || !awayStatuses.has(view.status), status: view?.status ?? null }];
      }),
    );
  };
}
