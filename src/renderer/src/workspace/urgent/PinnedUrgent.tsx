import { Trans, useTranslation } from 'react-i18next';
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
  const { t } = useTranslation();
  if (props.pinned.length === 0) return null;
  return (
    <section className="urgent-pin" aria-label={t('urgent.pinned')}>
      <ul>
        {props.pinned.map((m) => {
          const said = t('urgent.said', { name: props.nameOf(m.senderUserId), time: formatTime(m.time) });
          return (
            <li key={m.envelopeId}>
              <p>
                <UrgentIcon />{' '}
                <Trans i18nKey="urgent.from" values={{ said }} components={{ strong: <strong /> }} />
                {m.ackRequired ? t('urgent.ackRequired') : ''}
              </p>
              <button type="button" className="button" onClick={() => props.onJump(m.seq!)}>
                {t('urgent.goTo')}
                <span className="visually-hidden">{t('urgent.goToFrom', { said })}</span>
              </button>
            </li>
          );
        })}
      </ul>
    </section>
  );
}
