import { HubEvent, HubMethod } from '../../../shared/hub-protocol';
import type { AuditLog } from '../audit';
import type { HubClient } from '../hub';
import type { Logger } from '../log/logger';
import type { ProfileStore } from '../store';
import { getSetting, setSetting } from '../store/settings';
import {
  SignedRosterEntrySchema,
  rosterLimits,
  verifyRosterEntry,
  type KnownRosterEntry,
  type RosterRefusal,
  type SignedRosterEntry,
} from './signed-roster';

/** One role as this workstation sees it: IT's verified entry, or why the hub's entry was refused. */
export type RoleState =
  | { roleId: string; name: string; verified: SignedRosterEntry; refusal: null }
  | { roleId: string; name: string; verified: null; refusal: RosterRefusal };

export interface Roster {
  /** Reads the hub's roster and verifies every entry alone; keeps the last roster when the hub cannot answer. */
  refresh(): Promise<void>;
  roles(): RoleState[];
  role(roleId: string): RoleState | null;
  /** Follows `RosterChanged` and reconnects; returns the unsubscribe function. */
  start(onChange: () => void): () => void;
}

type RosterHub = Pick<HubClient, 'call' | 'on' | 'onConnected' | 'state'>;

/** The newest entry verified per role survives restarts, so an older one cannot be replayed later. */
const knownKey = 'roster.known';

/**
 * The roster of one signed-in profile (docs/roster.md). Each entry the hub serves is checked alone against
 * IT's keys the machine policy pins: a refused one is audited, logged (ids and reason only) and never used,
 * while the others still count. A role whose current entry is refused cannot be messaged: its last verified
 * holders may be stale, and the refusal may be the hub hiding IT's change.
 */
export function createRoster(deps: {
  hub: RosterHub;
  store: ProfileStore;
  audit: AuditLog;
  pinnedKeys: readonly string[];
  log: Logger;
}): Roster {
  const { hub, store, audit, log } = deps;
  let current = new Map<string, RoleState>();
  let running: Promise<void> | null = null;
  // Each refusal is audited once per session, not on every refresh that meets the same entry again.
  const reported = new Set<string>();

  const known = (): Record<string, { serial: number; signature: string }> =>
    getSetting<Record<string, { serial: number; signature: string }>>(store, knownKey, {});

  async function load(): Promise<void> {
    const { entries } = await hub.call(HubMethod.GetRoster, {});
    const seen = known();
    const next = new Map<string, RoleState>();
    const refused: { roleId: string | null; reason: RosterRefusal }[] = [];
    for (const raw of entries.slice(0, rosterLimits.maxEntries)) {
      const verdict = await verifyRosterEntry(raw, deps.pinnedKeys, knownOf(seen, raw));
      if (verdict.valid) {
        const { entry } = verdict;
        // A role listed twice: the newest verified wins, an older copy is a replay.
        const before = next.get(entry.roleId);
        if (before?.verified && before.verified.serial >= entry.serial) continue;
        next.set(entry.roleId, { roleId: entry.roleId, name: entry.name, verified: entry, refusal: null });
        seen[entry.roleId] = { serial: entry.serial, signature: entry.signature };
        continue;
      }
      const key = `${verdict.roleId ?? ''}\n${verdict.reason}\n${signatureOf(raw)}`;
      if (!reported.has(key)) {
        reported.add(key);
        refused.push({ roleId: verdict.roleId, reason: verdict.reason });
      }
      if (verdict.roleId && !next.get(verdict.roleId)?.verified) {
        next.set(verdict.roleId, {
          roleId: verdict.roleId,
          name: nameOf(raw) ?? verdict.roleId,
          verified: null,
          refusal: verdict.reason,
        });
      }
    }
    store.db.transaction(() => {
      setSetting(store, knownKey, seen);
      for (const r of refused) {
        audit.append({ kind: 'roster-entry-refused', details: { roleId: r.roleId, reason: r.reason } });
      }
    })();
    if (refused.length > 0) {
      log.warn(
        { refused: refused.length, reasons: [...new Set(refused.map((r) => r.reason))].join(',') },
        'roster entries refused',
      );
    }
    current = next;
  }

  const roster: Roster = {
    refresh() {
      running ??= load()
        .catch((error: unknown) => {
          log.warn(
            { code: (error as { code?: unknown }).code ?? 'internal' },
            'the roster could not be read',
          );
        })
        .finally(() => {
          running = null;
        });
      return running;
    },
    roles: () => [...current.values()].sort((a, b) => a.name.localeCompare(b.name)),
    role: (roleId) => current.get(roleId) ?? null,
    start(onChange) {
      const again = () => void roster.refresh().then(onChange);
      const offEvent = hub.on(HubEvent.RosterChanged, again);
      const offConnected = hub.onConnected(again);
      if (hub.state() === 'connected') again();
      return () => {
        offEvent();
        offConnected();
      };
    },
  };
  return roster;
}

function signatureOf(raw: unknown): string {
  const signature = (raw as { signature?: unknown } | null)?.signature;
  return typeof signature === 'string' ? signature.slice(0, 100) : '';
}

function knownOf(seen: Record<string, KnownRosterEntry>, raw: unknown): KnownRosterEntry | null {
  const roleId = (raw as { roleId?: unknown } | null)?.roleId;
  return typeof roleId === 'string' && Object.hasOwn(seen, roleId) ? seen[roleId]! : null;
}

/** The name of a refused entry, shown only if it passes the same checks as a verified one's. */
function nameOf(raw: unknown): string | null {
  const name = SignedRosterEntrySchema.shape.name.safeParse((raw as { name?: unknown } | null)?.name);
  return name.success ? name.data : null;
}
