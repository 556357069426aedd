import { UiLanguage, type Preferences as PreferencesView } from '../../../shared/contract';
import { AppError } from '../errors';
import { stricterPrivacy } from '../policy/merge';
import type { EffectivePolicy, NotificationPrivacy } from '../policy/schema';
import { getSetting, setSetting, type ProfileStore } from '../store';

export type NotifyFor = 'all' | 'urgent';

/** What a user may change about this app for themselves, never looser than the policy. */
export interface PreferenceChange {
  notifyFor?: NotifyFor;
  notificationPrivacy?: NotificationPrivacy;
  listPreviews?: boolean;
  language?: UiLanguage;
}

export interface Preferences {
  current(): Omit<PreferencesView, 'idleLockMinutes' | 'idleLockMaxMinutes'>;
  update(change: PreferenceChange): void;
  notifyFor(): NotifyFor;
  notificationPrivacy(): NotificationPrivacy;
  listPreviews(): boolean;
  language(): UiLanguage;
}

/**
 * One profile's own settings, kept in its encrypted store. Each is capped by the policy at read time, so a
 * policy tightened after the user chose still wins. Urgent messages always notify: a user can quieten
 * routine messages only.
 */
export function createPreferences(store: ProfileStore, policy: EffectivePolicy): Preferences {
  const notifyFor = () => getSetting<NotifyFor>(store, 'notifyFor', 'all');
  const notificationPrivacy = () =>
    stricterPrivacy(
      getSetting<NotificationPrivacy>(store, 'notificationPrivacy', policy.notificationPrivacy),
      policy.notificationPrivacy,
    );
  const listPreviews = () => policy.listPreviews && getSetting<boolean>(store, 'listPreviews', true);
  // A value this version does not know (written by a newer one) reads as the computer's language.
  const language = () => UiLanguage.catch('system').parse(getSetting<string>(store, 'language', 'system'));
  return {
    notifyFor,
    notificationPrivacy,
    listPreviews,
    language,
    current: () => ({
      notifyFor: notifyFor(),
      notificationPrivacy: notificationPrivacy(),
      notificationPrivacyMax: policy.notificationPrivacy,
      listPreviews: listPreviews(),
      listPreviewsAllowed: policy.listPreviews,
      urgentRenotifyMinutes: policy.urgentRenotifyMinutes,
      language: language(),
    }),
    update(change) {
      const { notificationPrivacy: privacy, listPreviews: previews } = change;
      if (privacy !== undefined && stricterPrivacy(privacy, policy.notificationPrivacy) !== privacy) {
        throw new AppError(
          'forbidden_by_policy',
          "Your hospital's policy does not allow notifications to show that much.",
        );
      }
      if (change.language !== undefined && !UiLanguage.safeParse(change.language).success) {
        throw new AppError('invalid_args', 'That language is not one the app offers.');
      }
      if (previews === true && !policy.listPreviews) {
        throw new AppError('forbidden_by_policy', "Your hospital's policy does not allow message previews.");
      }
      store.db.transaction(() => {
        if (change.notifyFor !== undefined) setSetting(store, 'notifyFor', change.notifyFor);
        if (privacy !== undefined) setSetting(store, 'notificationPrivacy', privacy);
        if (previews !== undefined) setSetting(store, 'listPreviews', previews);
        if (change.language !== undefined) setSetting(store, 'language', change.language);
      })();
    },
  };
}
