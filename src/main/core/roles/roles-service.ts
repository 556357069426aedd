import { HubMethod } from '../../../shared/hub-protocol';
import { AppError } from '../errors';
import type { EscalationService } from '../escalation';
import type { HubClient } from '../hub';
import type { Logger } from '../log/logger';
import type { MessagingEngine } from '../messaging';
import { everyoneAvailable, type AvailabilityLookup } from './availability';
import { resolveRole, type ResolvedPerson, type RoleResolution } from './resolve';
import type { Roster, RoleState } from './roster';
import type { RosterRefusal, SignedRosterEntry } from './signed-roster';

export interface Person {
  userId: string;
  displayName: string;
}

export interface RoleListing {
  roleId: string;
  name: string;
  state: 'verified' | 'refused';
  refusal: RosterRefusal | null;
  holders: Person[];
  backup: Person | null;
  serial: number | null;
  signedAt: string | null;
}

export type PersonStatus = Person & { status: string | null };

export interface RoleResolutionView {
  roleId: string;
  name: string;
  status: RoleResolution['status'];
  holders: PersonStatus[];
  unavailable: PersonStatus[];
  backup: PersonStatus | null;
}

export interface RoleSendInput {
  roleId: string;
  text: string;
  urgent: boolean;
  ackRequired: boolean;
  patient: { mrn: string; name: string } | null;
  /** With ackRequired: the deadline in minutes (policy's default when absent), as for messages.send. */
  ackDeadlineMinutes?: number | undefined;
  /** Send to the role's backup (after the sender was told nobody holding it is available). */
  toBackup: boolean;
}

/** Nobody holding the role is available (or nobody holds it): nothing was sent; `backup` is what to offer. */
export class RoleUnstaffedError extends AppError {
  constructor(
    message: string,
    readonly backup: PersonStatus | null,
  ) {
    super('role_unstaffed', message);
  }
}

export interface RolesService {
  /** Roles by name (every role for an empty query), each with IT's verified holders and backup. */
  list(query: string): Promise<RoleListing[]>;
  /** Who a message to the role would go to now, with who is unavailable and the backup. */
  resolve(roleId: string): Promise<RoleResolutionView>;
  /** Resolves at send time and seals to the holders' conversation; refused before sending if unstaffed. */
  send(input: RoleSendInput): Promise<{ conversationId: string; envelopeId: string; holders: string[] }>;
  /** The role's backup from IT's verified roster, for escalation; null when none (or the role is refused). */
  resolveRoleBackup(roleId: string): Promise<string | null>;
}

export function createRolesService(deps: {
  roster: Roster;
  engine: Pick<MessagingEngine, 'messages' | 'createConversation' | 'conversationState' | 'nameOf'>;
  /** Builds, signs and sends the payload (the same path as messages.send) and starts any deadline's timer. */
  escalation: Pick<EscalationService, 'send' | 'checkDeadline'>;
  hub: Pick<HubClient, 'call' | 'state'>;
  userId: string;
  availability?: AvailabilityLookup;
  log: Logger;
}): RolesService {
  const { roster, engine, hub, userId } = deps;
  const availability = deps.availability ?? everyoneAvailable;
  const names = new Map<string, string>();

  async function learnNames(userIds: readonly string[]): Promise<void> {
    const missing = [...new Set(userIds)].filter((id) => !names.has(id) && !engine.nameOf(id));
    if (missing.length === 0 || hub.state() !== 'connected') return;
    try {
      const { users } = await hub.call(HubMethod.GetUsers, { userIds: missing });
      for (const u of users) names.set(u.id, u.displayName);
    } catch (error) {
      deps.log.warn(
        { code: (error as { code?: unknown }).code ?? 'internal' },
        'role holder names unavailable',
      );
    }
  }
  const nameOf = (id: string): string => engine.nameOf(id) ?? names.get(id) ?? id;
  const person = (id: string): Person => ({ userId: id, displayName: nameOf(id) });
  const withStatus = (p: ResolvedPerson): PersonStatus => ({ ...person(p.userId), status: p.status });

  /** The verified entry of a role, or a typed refusal the sender can act on. */
  function verifiedEntry(roleId: string): SignedRosterEntry {
    const role = roster.role(roleId);
    if (!role) throw new AppError('not_found', 'That role is not on the roster.');
    if (!role.verified) {
      throw new AppError(
        'role_unverified',
        `The roster entry for ${role.name} did not pass the hospital IT signature check, so messages cannot be sent to it. Message a named colleague instead, and tell IT.`,
      );
    }
    return role.verified;
  }

  async function resolution(roleId: string): Promise<{ entry: SignedRosterEntry; resolved: RoleResolution }> {
    // At send time: the roster as it is now, not as it was when the picker opened.
    if (hub.state() === 'connected') await roster.refresh();
    const entry = verifiedEntry(roleId);
    const resolved = await resolveRole(entry, userId, availability);
    await learnNames([
      ...resolved.holders.map((h) => h.userId),
      ...resolved.unavailable.map((h) => h.userId),
      ...(resolved.backup ? [resolved.backup.userId] : []),
    ]);
    return { entry, resolved };
  }

  function unstaffedMessage(entry: SignedRosterEntry, resolved: RoleResolution): string {
    const away = resolved.unavailable.map((p) => `${nameOf(p.userId)} is ${statusText(p.status)}`);
    const why = away.length > 0 ? `${away.join('; ')}.` : `Nobody holds ${entry.name} now.`;
    const backup = resolved.backup
      ? ` Backup: ${nameOf(resolved.backup.userId)}.`
      : ' There is no backup on the roster.';
    return `${why}${backup} Nothing was sent.`;
  }

  /** The conversation with exactly these colleagues (and this user), found or created. */
  async function conversationWith(recipients: string[]): Promise<string> {
    const kind = recipients.length === 1 ? 'direct' : 'group';
    const wanted = new Set([userId, ...recipients]);
    const existing = engine.messages.listConversations().find((c) => {
      if (c.kind !== kind) return false;
      const state = engine.conversationState(c.conversationId);
      const members = state.status === 'confirmed' ? state.members : c.members;
      return members.length === wanted.size && members.every((m) => wanted.has(m));
    });
    return existing?.conversationId ?? (await engine.createConversation(kind, recipients));
  }

  return {
    async list(query) {
      const q = query.trim().toLowerCase();
      const roles = roster.roles().filter((r) => q === '' || r.name.toLowerCase().includes(q));
      await learnNames(
        roles
          .flatMap((r) => (r.verified ? [...r.verified.holders, r.verified.backup ?? ''] : []))
          .filter(Boolean),
      );
      return roles.map(listing);
    },
    async resolve(roleId) {
      const { entry, resolved } = await resolution(roleId);
      return {
        roleId,
        name: entry.name,
        status: resolved.status,
        holders: resolved.holders.map(withStatus),
        unavailable: resolved.unavailable.map(withStatus),
        backup: resolved.backup ? withStatus(resolved.backup) : null,
      };
    },
    async send(input) {
      const deadline = {
        ackRequired: input.ackRequired,
        ...(input.ackDeadlineMinutes !== undefined ? { ackDeadlineMinutes: input.ackDeadlineMinutes } : {}),
      };
      // Refused before the roster is asked or a conversation is made: nothing happens for a bad deadline.
      deps.escalation.checkDeadline(deadline);
      const { entry, resolved } = await resolution(input.roleId);
      let recipients: string[];
      if (input.toBackup) {
        if (!resolved.backup) {
          throw new RoleUnstaffedError(`${entry.name} has no backup on the roster. Nothing was sent.`, null);
        }
        recipients = [resolved.backup.userId];
      } else if (resolved.status === 'unstaffed') {
        throw new RoleUnstaffedError(
          unstaffedMessage(entry, resolved),
          resolved.backup ? withStatus(resolved.backup) : null,
        );
      } else {
        recipients = resolved.holders.map((h) => h.userId);
      }
      const conversationId = await conversationWith(recipients);
      const { envelopeId } = await deps.escalation.send({
        conversationId,
        text: input.text,
        urgent: input.urgent,
        patient: input.patient,
        ...deadline,
        toRole: {
          roleId: entry.roleId,
          name: entry.name,
          holders: recipients,
          serial: entry.serial,
          ...(input.toBackup ? { asBackup: true as const } : {}),
        },
      });
      return { conversationId, envelopeId, holders: recipients };
    },
    async resolveRoleBackup(roleId) {
      const role = roster.role(roleId);
      return role?.verified?.backup ?? null;
    },
  };

  function listing(role: RoleState): RoleListing {
    if (!role.verified) {
      return {
        roleId: role.roleId,
        name: role.name,
        state: 'refused',
        refusal: role.refusal,
        holders: [],
        backup: null,
        serial: null,
        signedAt: null,
      };
    }
    const entry = role.verified;
    return {
      roleId: entry.roleId,
      name: entry.name,
      state: 'verified',
      refusal: null,
      holders: entry.holders.map(person),
      backup: entry.backup ? person(entry.backup) : null,
      serial: entry.serial,
      signedAt: entry.signedAt,
    };
  }
}

const statusWords: Record<string, string> = {
  busy: 'busy',
  in_theatre: 'in theatre',
  off_shift: 'off shift',
  dnd: 'on do not disturb',
};
const statusText = (status: string | null): string =>
  status ? (statusWords[status] ?? 'unavailable') : 'unavailable';
