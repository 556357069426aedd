import type { ContactDevice, DirectoryUser, PresenceView } from '../../../shared/contract';
import { presenceLabel } from './presence';
import { AvailabilityBadge } from './availability/AvailabilityBadge';
import { formatTime } from './time';
import { useEscape } from './keyboard/useEscape';

const statusLabel: Record<ContactDevice['status'], string> = {
  trusted: 'Key on record',
  new: 'New device: key recorded',
  unaccepted: 'New device: nothing is sent to it until you compare the safety number and accept it',
  'key-changed': 'Key changed: messages to this device are held until you accept',
  revoked: 'Revoked: messages are not sent to it',
  'invalid-signature': 'Key entry is not validly signed: messages are never sent to it',
};

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
  useEscape(props.onClose);
  return (
    <section className="contact-details" aria-labelledby="contact-details-heading">
      <div className="contact-details__bar">
        <h3 id="contact-details-heading">Contact details</h3>
        <button type="button" className="button" onClick={props.onClose}>
          Close contact details
        </button>
      </div>
      {props.people.map(({ userId, user }) => {
        const name = user?.displayName ?? 'Unknown colleague';
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
                      {d.deviceName ?? 'An earlier workstation'} (device {d.deviceId.slice(0, 8)}):{' '}
                      {statusLabel[d.status]}
                      <span className="muted">
                        {' '}
                        · enrolled {formatTime(d.createdAt)}
                        {d.lastSeenAt ? ` · last signed in ${formatTime(d.lastSeenAt)}` : ''}
                      </span>
                    </p>
                    {d.safetyNumber ? (
                      <p>
                        Safety number{' '}
                        <code className="safety-number" data-testid="safety-number">
                          {d.safetyNumber}
                        </code>
                      </p>
                    ) : null}
                    {d.status === 'key-changed' ? (
                      <>
                        <p>
                          Compare this safety number with {name} before accepting. If they did not set up a
                          new computer, do not accept and call the IT service desk.
                        </p>
                        <button type="button" className="button" onClick={() => props.onAccept(d)}>
                          Accept the new key of {name}
                        </button>
                      </>
                    ) : null}
                    {d.status === 'unaccepted' ? (
                      <>
                        <p>
                          Compare this safety number with {name} before accepting. If they did not sign in on{' '}
                          {d.deviceName ?? 'a new workstation'}, do not accept and call the IT service desk.
                        </p>
                        <button type="button" className="button" onClick={() => props.onAccept(d)}>
                          Accept {d.deviceName ?? 'the new workstation'} of {name}
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
