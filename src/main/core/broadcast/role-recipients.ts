import { AppError } from '../errors';

/** A role's current verified holders (any availability), or a typed refusal (unverified, not on the roster). */
export interface RoleHolders {
  name: string;
  holders: string[];
}
export type HoldersOfRole = (roleId: string) => Promise<RoleHolders>;

export { maxBroadcastRoles } from '../../../shared/contract/broadcast';

/**
 * The recipients of an announcement: the named colleagues plus every role's holders now, the sender left out.
 * One refused or empty role refuses the whole announcement (nobody gets a partial one), naming that role.
 */
export async function announcementRecipients(
  userIds: readonly string[],
  roleIds: readonly string[],
  holdersOf: HoldersOfRole,
  self: string,
): Promise<string[]> {
  const all = new Set(userIds);
  for (const roleId of new Set(roleIds)) {
    let role: RoleHolders;
    try {
      role = await holdersOf(roleId);
    } catch (error) {
      if (error instanceof AppError && error.code === 'not_found')
        throw new AppError(
          'not_found',
          `The role ${roleId} is not on the roster, so the announcement was not sent. Choose the role again from the roster.`,
        );
      throw error;
    }
    const holders = role.holders.filter((u) => u !== self);
    if (holders.length === 0)
      throw new AppError(
        'role_unstaffed',
        `Nobody else holds ${role.name} now, so the announcement was not sent. Remove the role or choose colleagues by name.`,
      );
    for (const u of holders) all.add(u);
  }
  all.delete(self);
  return [...all];
}
