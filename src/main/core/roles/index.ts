export {
  rosterDomain,
  rosterEntryBytes,
  rosterLimits,
  signRosterEntry,
  verifyRosterEntry,
  SignedRosterEntrySchema,
  type RosterEntryFields,
  type SignedRosterEntry,
  type RosterRefusal,
  type RosterVerdict,
} from './signed-roster';
export { createRoster, type Roster, type RoleState } from './roster';
export { everyoneAvailable, type AvailabilityLookup, type HolderAvailability } from './availability';
export { resolveRole, type RoleResolution, type ResolvedPerson } from './resolve';
export {
  createRolesService,
  RoleUnstaffedError,
  type RolesService,
  type RoleListing,
  type RoleResolutionView,
  type RoleSendInput,
  type Person,
  type PersonStatus,
} from './roles-service';
