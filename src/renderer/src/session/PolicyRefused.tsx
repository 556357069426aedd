import { useTranslation } from 'react-i18next';
import type { PolicySummary } from '../../../shared/contract';
import { fixFor } from '../../../shared/policy-fix';

/**
 * Shown instead of sign-in while the machine policy is refused: which policy, each bad field, and what IT
 * must do. Nobody can sign in until IT fixes it, so the screen speaks to whoever calls the service desk.
 */
export function PolicyRefused({ policy }: { policy: PolicySummary }): React.JSX.Element {
  const { t } = useTranslation();
  const source = policy.machine.source ?? t('session.policy.machinePolicy');
  const problems = policy.problems.filter((p) => p.file.startsWith(source));
  return (
    <section
      className="panel session-panel"
      aria-labelledby="policy-refused-heading"
      data-testid="policy-refused"
    >
      <h2 id="policy-refused-heading">{t('session.policy.heading')}</h2>
      <div role="alert" className="alert alert--error">
        <p>{t('session.policy.alert')}</p>
      </div>
      <dl className="info">
        <div className="info-row">
          <dt>{t('session.policy.policy')}</dt>
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
              <strong>{p.field === '(file)' ? t('session.policy.theFile') : <code>{p.field}</code>}</strong>{' '}
              {p.message}.{fix ? <> {fix}.</> : null}
            </li>
          );
        })}
      </ul>
    </section>
  );
}
