import type { SessionState } from '../../../shared/contract';

type ActiveSession = Extract<SessionState, { status: 'active' }>;

/** The signed-in, unlocked app: conversations, the open conversation and its composer. */
export function Workspace({ session }: { session: ActiveSession }): React.JSX.Element {
  return (
    <section className="panel" aria-labelledby="workspace-heading">
      <h2 id="workspace-heading">Signed in as {session.profile.displayName}</h2>
    </section>
  );
}
