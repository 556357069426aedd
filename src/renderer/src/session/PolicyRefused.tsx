import type { PolicySummary } from '../../../shared/contract';
import { fixFor } from '../../../shared/policy-fix';

/**
 * Shown instead of sign-in while the machine policy is refused: which policy, each bad field, and what IT
 * must do. Nobody can sign in until IT fixes it, so the screen speaks to whoever calls the service desk.
 */
export function PolicyRefused({ policy }: { policy: PolicySummary }): React.JSX.Element {
  const source = policy.machine.source ?? 'the machine policy';
  const problems = policy.problems.filter((p) => p.file.startsWith(source));
  return (
    <section
      className="panel session-panel"
      aria-labelledby="policy-refused-heading"
      data-testid="policy-refused"
    >
      <h2 id="policy-refused-heading">Sign-in is stopped on this computer</h2>
      <div role="alert" className="alert alert--error">
        <p>
          The hospital policy on this computer cannot be used, so Clinical Messenger will not sign anyone in
          until IT corrects it. Please call the IT service desk and read them what follows.
        </p>
      </div>
      <dl className="info">
        <div className="info-row">
          <dt>Policy</dt>
          <dd>
            <code>{source}</code>
          </dd>
        </div>
      </dl>
      <ul className="policy-refused-list">
        {problems.map((p) => {
          const fix = fixFor(p);
          return (
            <li key={`${p.file}:${p.field}`}>
              <strong>{p.field === '(file)' ? 'The file' : <code>{p.field}</code>}</strong> {p.message}.
              {fix ? <> {fix}.</> : null}
            </li>
          );
        })}
      </ul>
    </section>
  );
}
