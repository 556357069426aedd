import type { MessageView } from '../../../../shared/contract';
import { formatTime } from '../time';
import { UrgentIcon } from './UrgentIcon';

/**
 * Above the timeline, outside its scroll box so it stays in view: each urgent message still waiting for this
 * user, by sender and time, with the way to it. Its content stays in the timeline.
 */
export function PinnedUrgent(props: {
  pinned: readonly MessageView[];
  nameOf: (userId: string) => string;
  onJump: (seq: number) => void;
}): React.JSX.Element | null {
  if (props.pinned.length === 0) return null;
  return (
    <section className="urgent-pin" aria-label="Pinned messages">
      <ul>
        {props.pinned.map((m) => {
          const said = `${props.nameOf(m.senderUserId)} at ${formatTime(m.time)}`;
          return (
            <li key={m.envelopeId}>
              <p>
                <UrgentIcon /> <strong>Urgent</strong> from {said}
                {m.ackRequired ? ' · acknowledgement required' : ''}
              </p>
              <button type="button" className="button" onClick={() => props.onJump(m.seq!)}>
                Go to message<span className="visually-hidden"> from {said}</span>
              </button>
            </li>
          );
        })}
      </ul>
    </section>
  );
}
