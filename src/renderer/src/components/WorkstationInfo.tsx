import type { PolicySummary } from '../../../shared/contract';
import { useCall } from '../api';

const privacyLabels: Record<PolicySummary['notificationPrivacy'], string> = {
  hidden: 'No details',
  sender: 'Sender only',
  preview: 'Sender and preview',
};

function Row({
  term,
  value,
  source,
}: {
  term: string;
  value: string;
  source?: string | undefined;
}): React.JSX.Element {
  return (
    <div className="info-row">
      <dt>{term}</dt>
      <dd>
        {value}
        {source && source !== 'default' ? (
          <span className="source"> (set by {source === 'machine' ? 'hospital policy' : 'you'})</span>
        ) : null}
      </dd>
    </div>
  );
}

export function WorkstationInfo(): React.JSX.Element {
  const info = useCall('app.info');
  if (info.status === 'loading') return <p aria-busy="true">Loading…</p>;
  if (info.status === 'error') {
    return (
      <p role="alert" className="alert alert--error">
        Could not read this workstation’s settings: {info.error.message}
      </p>
    );
  }
  const { name, version, platform, policy } = info.value;
  const notSet = 'Not configured';
  return (
    <section className="panel" aria-labelledby="workstation-heading">
      <h2 id="workstation-heading">This workstation</h2>
      {policy.problems.length > 0 ? (
        <div role="alert" className="alert alert--warning" data-testid="policy-problems">
          <p>A policy file could not be used, so safe defaults apply:</p>
          <ul>
            {policy.problems.map((p) => (
              <li key={`${p.file}:${p.field}`}>
                <code>{p.file}</code>: <code>{p.field}</code> {p.message}
              </li>
            ))}
          </ul>
        </div>
      ) : null}
      <dl className="info" data-testid="app-info">
        <Row term="Application" value={`${name} ${version}`} />
        <Row term="Platform" value={platform} />
        <Row term="Messaging hub" value={policy.hubUrl ?? notSet} source={policy.sources.hubUrl} />
        <Row term="Sign-in" value={policy.idpAuthority ?? notSet} source={policy.sources.idp} />
        <Row term="Document store" value={policy.gatewayUrl ?? notSet} source={policy.sources.gatewayUrl} />
        <Row
          term="Screen lock after"
          value={`${policy.idleLockMinutes} min (maximum ${policy.idleLockMaxMinutes} min)`}
          source={policy.sources.idleLockMinutes}
        />
        <Row
          term="Messages kept on this device"
          value={`${policy.retentionDays} days`}
          source={policy.sources.retentionDays}
        />
        <Row
          term="Notifications show"
          value={privacyLabels[policy.notificationPrivacy]}
          source={policy.sources.notificationPrivacy}
        />
        <Row
          term="Saving documents to disk"
          value={policy.saveToDiskAllowed ? 'Allowed' : 'Not allowed'}
          source={policy.sources.saveToDiskAllowed}
        />
        <Row
          term="Compliance copy"
          value={
            policy.complianceCopy ? 'Every message is also sealed to the hospital’s compliance key' : 'None'
          }
        />
      </dl>
    </section>
  );
}
