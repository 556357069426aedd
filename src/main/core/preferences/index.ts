export { createPreferences, type NotifyFor, type PreferenceChange, type Preferences } from './preferences';
