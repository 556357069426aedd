import type { RolePreviewView } from '../../../shared/contract/broadcast';
import { AppError } from '../errors';
import type { RoleResolutionView } from '../roles';

export { maxBroadcastRoles } from '../../../shared/contract/broadcast';

/** Who a message to a role would reach now (the roles service's `resolve`: available verified holders). */
export type ResolveRole = (roleId: string) => Promise<RoleResolutionView>;

/**
 * One role judged alone: who it reaches now, or why it cannot be used. A role off the roster or refused by IT's
 * signature check becomes a preview with its `problem`, so the other roles of the same announcement still show.
 */
export async function previewRole(roleId: string, resolve: ResolveRole): Promise<RolePreviewView> {
  try {
    return { ...(await resolve(roleId)), problem: null };
  } catch (error) {
    if (!(error instanceof AppError) || (error.code !== 'not_found' && error.code !== 'role_unverified'))
      throw error;
    const notFound = error.code === 'not_found';
    return {
      roleId,
      name: roleId,
      status: notFound ? 'not_found' : 'unverified',
      holders: [],
      unavailable: [],
      backup: null,
      problem: notFound
        ? `The role ${roleId} is not on the roster. Remove it and choose the role again from the roster.`
        : error.message,
    };
  }
}

/** The refusal for a role that cannot be used: nothing is sent to anyone. */
function refusal(role: RolePreviewView): AppError {
  const notSent = 'so the announcement was not sent';
  switch (role.status) {
    case 'not_found':
      return new AppError(
        'not_found',
        `The role ${role.roleId} is not on the roster, ${notSent}. Choose the role again from the roster.`,
      );
    case 'unverified':
      return new AppError('role_unverified', `${role.problem ?? ''} The announcement was not sent.`.trim());
    default:
      return new AppError(
        'role_unstaffed',
        role.backup
          ? `Nobody holding ${role.name} is available now, ${notSent}. Its backup is ${role.backup.displayName}: choose the backup or remove the role.`
          : `Nobody holding ${role.name} is available now and there is no backup on the roster, ${notSent}. Remove the role or choose colleagues by name.`,
      );
  }
}

/** The named colleagues plus the staffed roles' holders, the sender left out. */
export function recipientsOf(
  userIds: readonly string[],
  roles: readonly RolePreviewView[],
  self: string,
): string[] {
  const all = new Set(userIds);
  for (const role of roles) if (role.status === 'staffed') for (const h of role.holders) all.add(h.userId);
  all.delete(self);
  return [...all];
}

/** Each distinct role resolved now, in order (the roster is read again by the first). */
export async function previewRoles(
  roleIds: readonly string[],
  resolve: ResolveRole,
): Promise<RolePreviewView[]> {
  const previews: RolePreviewView[] = [];
  for (const roleId of new Set(roleIds)) previews.push(await previewRole(roleId, resolve));
  return previews;
}

/**
 * The recipients of an announcement: the named colleagues plus every role's available holders now. One role
 * that reaches nobody (unstaffed, refused, off the roster) refuses the whole announcement, naming the role, so
 * nobody gets a partial one; the sender was shown the same before sending (`previewRoles`) with the backup.
 */
export async function announcementRecipients(
  userIds: readonly string[],
  roleIds: readonly string[],
  resolve: ResolveRole,
  self: string,
): Promise<string[]> {
  const roles = await previewRoles(roleIds, resolve);
  const unusable = roles.find((r) => r.status !== 'staffed');
  if (unusable) throw refusal(unusable);
  return recipientsOf(userIds, roles, self);
}
