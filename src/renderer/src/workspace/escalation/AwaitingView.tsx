import { useTranslation } from 'react-i18next';
import { acknowledgeBy, timeLeft } from './text';
import { useAwaiting, useRoleName } from './useEscalations';

/** "Awaiting my acknowledgement" and "Awaiting others", each entry opening its conversation. */
export function AwaitingView(props: {
  nameOf: (userId: string) => string;
  titleOf: (conversationId: string) => string;
  onOpen: (conversationId: string, seq: number | null) => void;
}): React.JSX.Element {
  const { t } = useTranslation();
  const { mine, others } = useAwaiting();
  const roleName = useRoleName();
  const target = (to: { kind: 'user'; userId: string } | { kind: 'role'; roleId: string } | null) =>
    to === null ? t('escalation.nobody') : to.kind === 'user' ? props.nameOf(to.userId) : roleName(to.roleId);
  return (
    <section className="awaiting" aria-labelledby="awaiting-heading">
      <h2 id="awaiting-heading">{t('escalation.heading')}</h2>
      <h3 id="awaiting-mine">{t('escalation.mine', { count: mine.length })}</h3>
      {mine.length === 0 ? (
        <p className="muted">{t('escalation.mineNone')}</p>
      ) : (
        <ul aria-labelledby="awaiting-mine" className="awaiting-list">
          {mine.map((m) => (
            <li key={`${m.conversationId}:${m.seq}`}>
              <button type="button" className="button" onClick={() => props.onOpen(m.conversationId, m.seq)}>
                {m.urgent ? <strong>{t('escalation.urgentPrefix')}</strong> : null}
                {t('escalation.entry', { name: props.nameOf(m.senderUserId), text: m.text })}
              </button>
              <span className="muted">
                {m.escalatedFrom
                  ? t('escalation.escalatedToYou', {
                      names: m.escalatedFrom.recipients.map(props.nameOf).join(', '),
                    })
                  : m.deadlineAt
                    ? t('escalation.thenEscalates', {
                        by: acknowledgeBy(m.deadlineAt),
                        target: target(m.target),
                      })
                    : null}
              </span>
            </li>
          ))}
        </ul>
      )}
      <h3 id="awaiting-others">{t('escalation.others', { count: others.length })}</h3>
      {others.length === 0 ? (
        <p className="muted">{t('escalation.othersNone')}</p>
      ) : (
        <ul aria-labelledby="awaiting-others" className="awaiting-list">
          {others.map((o) => (
            <li key={o.envelopeId}>
              <button type="button" className="button" onClick={() => props.onOpen(o.conversationId, o.seq)}>
                {t('escalation.entry', { name: props.titleOf(o.conversationId), text: o.text })}
              </button>
              <span className="muted">
                {' '}
                {timeLeft(o.msLeft)}
                {o.elsewhere
                  ? t('escalation.elsewhere')
                  : o.status === 'waiting'
                    ? t('escalation.escalatesTo', { target: target(o.target) })
                    : t('escalation.escalated')}
              </span>
            </li>
          ))}
        </ul>
      )}
    </section>
  );
}
