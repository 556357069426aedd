import { useTranslation } from 'react-i18next';
import type { SessionState } from '../../../shared/contract';

type Busy = Extract<SessionState, { status: 'busy' }>;

export function BusyScreen({ state }: { state: Busy }): React.JSX.Element {
  const { t } = useTranslation();
  const messages: Record<Busy['step'], string> = {
    'signing-in': t('session.busy.signingIn'),
    opening: t('session.busy.opening'),
    enrolling: t('session.busy.enrolling'),
  };
  return (
    <section className="panel session-panel" aria-labelledby="busy-heading" aria-busy="true">
      <h2 id="busy-heading">{t('session.busy.heading')}</h2>
      <p role="status" aria-live="polite">
        {messages[state.step]}
      </p>
    </section>
  );
}
