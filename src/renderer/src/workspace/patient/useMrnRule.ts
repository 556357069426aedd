import { useEffect, useMemo, useState } from 'react';
import { DEFAULT_MRN_PATTERN, mrnMatcher } from '../../../../shared/patient';

/** The hospital's MRN format from the policy (app.info); the default until it has been read. */
export function useMrnRule(): (mrn: string) => boolean {
  const [pattern, setPattern] = useState(DEFAULT_MRN_PATTERN);
  useEffect(() => {
    let live = true;
    void window.clinical.call('app.info').then((r) => {
      if (live && r.ok) setPattern(r.value.policy.mrnPattern);
    });
    return () => {
      live = false;
    };
  }, []);
  return useMemo(() => mrnMatcher(pattern), [pattern]);
}
