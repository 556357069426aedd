import { useTranslation } from 'react-i18next';
import type { ContactDevice, DirectoryUser, PresenceView } from '../../../shared/contract';
import { presenceLabel } from './presence';
import { AvailabilityBadge } from './availability/AvailabilityBadge';
import { formatTime } from './time';
import { useEscape } from './keyboard/useEscape';

/**
 * Who is in the conversation and the keys their devices use. Comparing the safety number in person (or by
 * phone) with the colleague's screen proves nobody in between swapped the keys.
 */
export function ContactDetails(props: {
  people: { userId: string; user: DirectoryUser | null }[];
  devices: ContactDevice[];
  presence: PresenceView[];
  onAccept: (device: ContactDevice) => void;
  onClose: () => void;
}): React.JSX.Element {
  const { t } = useTranslation();
  useEscape(props.onClose);
  const statusLabel: Record<ContactDevice['status'], string> = {
    trusted: t('contact.trusted'),
    new: t('contact.new'),
    unaccepted: t('contact.unaccepted'),
    'key-changed': t('contact.keyChanged'),
    revoked: t('contact.revoked'),
    'invalid-signature': t('contact.invalidSignature'),
  };
  return (
    <section className="contact-details" aria-labelledby="contact-details-heading">
      <div className="contact-details__bar">
        <h2 id="contact-details-heading">{t('contact.heading')}</h2>
        <button type="button" className="button" onClick={props.onClose}>
          {t('contact.close')}
        </button>
      </div>
      {props.people.map(({ userId, user }) => {
        const name = user?.displayName ?? t('contact.unknown');
        const presence = props.presence.find((p) => p.userId === userId);
        return (
          <div key={userId} className="contact" aria-label={name} role="group">
            <p className="contact__name">
              <strong>{name}</strong>
              {user ? ` · ${user.roles.join(', ')} · ${user.department}` : null}
              {presence ? <span className="muted"> · {presenceLabel(presence)}</span> : null}
              {presence?.availability ? (
                <>
                  {' '}
                  · <AvailabilityBadge view={presence.availability} />
                </>
              ) : null}
            </p>
            <ul className="contact__devices">
              {props.devices
                .filter((d) => d.userId === userId)
                .map((d) => (
                  <li
                    key={d.deviceId}
                    className={
                      d.status === 'key-changed' || d.status === 'unaccepted'
                        ? 'alert alert--warning'
                        : undefined
                    }
                  >
                    <p>
                      {t('contact.device', {
                        name: d.deviceName ?? t('contact.earlierWorkstation'),
                        id: d.deviceId.slice(0, 8),
                      })}
                      {statusLabel[d.status]}
                      <span className="muted">
                        {t('contact.enrolled', { time: formatTime(d.createdAt) })}
                        {d.lastSeenAt ? t('contact.lastSignedIn', { time: formatTime(d.lastSeenAt) }) : ''}
                      </span>
                    </p>
                    {d.safetyNumber ? (
                      <p>
                        {t('contact.safetyNumber')}
                        <code className="safety-number" data-testid="safety-number">
                          {d.safetyNumber}
                        </code>
                      </p>
                    ) : null}
                    {d.status === 'key-changed' ? (
                      <>
                        <p>{t('contact.compareKeyChanged', { name })}</p>
                        <button type="button" className="button" onClick={() => props.onAccept(d)}>
                          {t('contact.acceptKey', { name })}
                        </button>
                      </>
                    ) : null}
                    {d.status === 'unaccepted' ? (
                      <>
                        <p>
                          {t('contact.compareUnaccepted', {
                            name,
                            device: d.deviceName ?? t('contact.aNewWorkstation'),
                          })}
                        </p>
                        <button type="button" className="button" onClick={() => props.onAccept(d)}>
                          {t('contact.acceptDevice', {
                            device: d.deviceName ?? t('contact.theNewWorkstation'),
                            name,
                          })}
                        </button>
                      </>
                    ) : null}
                  </li>
                ))}
            </ul>
          </div>
        );
      })}
    </section>
  );
}
