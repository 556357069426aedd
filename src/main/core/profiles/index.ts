export { openProfileRegistry, Profile, type ProfileRegistry, type ProfilePaths } from './registry';
export { removeProfile, type RemovedProfile } from './remove';
export { expireUnusedProfiles } from './expire';
