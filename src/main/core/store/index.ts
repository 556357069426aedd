export { openProfileStore, type ProfileStore, type OpenProfileStoreOptions } from './open';
export { checkStoreAhead } from './check-ahead';
export {
  checkMigrations,
  latestVersion,
  runMigrations,
  schemaVersion,
  type Migration,
  type Db,
} from './migrate';
export { profileMigrations } from './migrations';
export { profileStoreKey, storeKeyAccount } from './store-key';
export { getSetting, setSetting } from './settings';
