// The language a user picks in Settings is one of the profile's preferences: kept in the encrypted store, read
// back after a restart, and a language the app has no catalogue for is refused with a typed error at the IPC
// boundary and in the core.
import { describe, expect, it } from 'vitest';
import { AppError } from '../../../src/main/core/errors';
import { defaultPolicy } from '../../../src/main/core/policy/schema';
import { createPreferences } from '../../../src/main/core/preferences';
import { openProfileStore, setSetting } from '../../../src/main/core/store';
import { coreForTest } from '../../support/core';
import { tempStore } from '../store/helpers';

describe('the language preference', () => {
  it("follows the computer's language until the user picks one, and keeps the choice across a restart", () => {
    const { store, file, key } = tempStore();
    const preferences = createPreferences(store, defaultPolicy);
    expect(preferences.current().language).toBe('system');
    preferences.update({ language: 'hi' });
    expect(preferences.current().language).toBe('hi');
    store.close();

    const reopened = openProfileStore({ file, key });
    try {
      expect(createPreferences(reopened, defaultPolicy).current().language).toBe('hi');
    } finally {
      reopened.close();
    }
  });

  it('refuses a language the app has no catalogue for, in the core and through the contract', async () => {
    const { store } = tempStore();
    const preferences = createPreferences(store, defaultPolicy);
    const refused = (() => {
      try {
        preferences.update({ language: 'fr' as never });
      } catch (error) {
        return error;
      }
    })();
    expect(refused).toBeInstanceOf(AppError);
    expect(refused).toMatchObject({ code: 'invalid_args' });
    expect(preferences.current().language).toBe('system');

    const core = coreForTest({ appVersion: '9.9.9' });
    expect(await core.dispatcher.dispatch('settings.update', { language: 'fr' })).toMatchObject({
      ok: false,
      error: { code: 'invalid_args', message: expect.stringContaining('settings.update') },
    });
  });

  it("reads a value this version does not know (a newer version's) as the computer's language", () => {
    const { store } = tempStore();
    setSetting(store, 'language', 'ta');
    expect(createPreferences(store, defaultPolicy).current().language).toBe('system');
  });
});
