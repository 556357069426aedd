import type { SessionState } from '../../../shared/contract';

type Busy = Extract<SessionState, { status: 'busy' }>;

const messages: Record<Busy['step'], string> = {
  'signing-in':
    'Finish signing in on the hospital sign-in page in your browser. This window will continue by itself.',
  opening: 'Opening your messages on this computer…',
  enrolling: 'Setting up this computer’s security keys…',
};

export function BusyScreen({ state }: { state: Busy }): React.JSX.Element {
  return (
    <section className="panel session-panel" aria-labelledby="busy-heading" aria-busy="true">
      <h2 id="busy-heading">One moment</h2>
      <p role="status" aria-live="polite">
        {messages[state.step]}
      </p>
    </section>
  );
}
