import type { AppInfo, PolicySummary } from '../../../shared/contract';
import { useTranslation } from 'react-i18next';
import { useCall } from '../api';

function Row({
  term,
  value,
  source,
}: {
  term: string;
  value: string;
  source?: string | undefined;
}): React.JSX.Element {
  const { t } = useTranslation();
  return (
    <div className="info-row">
      <dt>{term}</dt>
      <dd>
        {value}
        {source && source !== 'default' ? (
          <span className="source">
            {source === 'machine' ? t('workstation.setByPolicy') : t('workstation.setByYou')}
          </span>
        ) : null}
      </dd>
    </div>
  );
}

/**
 * The application, its servers and the effective policy. Collapsed on the sign-in screen (staff need none of it to
 * sign in; IT opens it), open where it explains a problem. Policy problems always show.
 */
export function WorkstationInfo({ collapsed = false }: { collapsed?: boolean }): React.JSX.Element {
  const { t } = useTranslation();
  const info = useCall('app.info');
  if (info.status === 'loading') return <p aria-busy="true">{t('common.loading')}</p>;
  if (info.status === 'error') {
    return (
      <p role="alert" className="alert alert--error">
        {t('workstation.loadError', { message: info.error.message })}
      </p>
    );
  }
  const { policy } = info.value;
  return (
    <section className="panel" aria-labelledby="workstation-heading">
      <h2 id="workstation-heading">{t('workstation.heading')}</h2>
      {policy.problems.length > 0 ? (
        <div role="alert" className="alert alert--warning" data-testid="policy-problems">
          <p>{t('workstation.problems')}</p>
          <ul>
            {policy.problems.map((p) => (
              <li key={`${p.file}:${p.field}`}>
                <code>{p.file}</code>: <code>{p.field}</code> {p.message}
              </li>
            ))}
          </ul>
        </div>
      ) : null}
      {collapsed ? (
        <details className="workstation-details">
          <summary>{t('workstation.details')}</summary>
          <PolicyRows info={info.value} />
        </details>
      ) : (
        <PolicyRows info={info.value} />
      )}
    </section>
  );
}

function PolicyRows({ info }: { info: AppInfo }): React.JSX.Element {
  const { t } = useTranslation();
  const { name, version, platform, policy } = info;
  const notSet = t('workstation.notSet');
  const privacyLabels: Record<PolicySummary['notificationPrivacy'], string> = {
    hidden: t('workstation.privacyHidden'),
    sender: t('workstation.privacySender'),
    preview: t('workstation.privacyPreview'),
  };
  return (
    <dl className="info" data-testid="app-info">
      <Row term={t('workstation.application')} value={`${name} ${version}`} />
      <Row term={t('workstation.platform')} value={platform} />
      <Row term={t('workstation.hub')} value={policy.hubUrl ?? notSet} source={policy.sources.hubUrl} />
      <Row term={t('workstation.signIn')} value={policy.idpAuthority ?? notSet} source={policy.sources.idp} />
      <Row
        term={t('workstation.gateway')}
        value={policy.gatewayUrl ?? notSet}
        source={policy.sources.gatewayUrl}
      />
      <Row
        term={t('workstation.lockAfter')}
        value={t('workstation.lockValue', {
          minutes: policy.idleLockMinutes,
          max: policy.idleLockMaxMinutes,
        })}
        source={policy.sources.idleLockMinutes}
      />
      <Row
        term={t('workstation.retention')}
        value={t('workstation.retentionValue', { count: policy.retentionDays })}
        source={policy.sources.retentionDays}
      />
      <Row
        term={t('workstation.notifications')}
        value={privacyLabels[policy.notificationPrivacy]}
        source={policy.sources.notificationPrivacy}
      />
      <Row
        term={t('workstation.saveToDisk')}
        value={policy.saveToDiskAllowed ? t('workstation.allowed') : t('workstation.notAllowed')}
        source={policy.sources.saveToDiskAllowed}
      />
      <Row
        term={t('workstation.compliance')}
        value={policy.complianceCopy ? t('workstation.complianceOn') : t('workstation.none')}
      />
    </dl>
  );
}
