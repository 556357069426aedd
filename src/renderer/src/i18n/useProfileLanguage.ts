import { useEffect } from 'react';
import type { SessionState } from '../../../shared/contract';
import { applyLanguage } from '.';

/**
 * The signed-in user's language, from her preferences, once her profile is open (after sign-in, unlock or a
 * restart); the lock screen keeps it. Signed out, the app speaks the computer's language again.
 */
export function useProfileLanguage(state: SessionState | null): void {
  const profileId = state?.status === 'active' ? state.profile.profileId : null;
  const signedOut = state?.status === 'signed-out';
  useEffect(() => {
    if (signedOut) applyLanguage('system');
  }, [signedOut]);
  useEffect(() => {
    if (!profileId) return;
    let live = true;
    void window.clinical.call('settings.current').then((result) => {
      if (live && result.ok) applyLanguage(result.value.language);
    });
    return () => {
      live = false;
    };
  }, [profileId]);
}
