import { useEffect, useState } from 'react';
import type { CallResult } from '../../../../shared/contract';
import { stepText } from './text';

type Step = CallResult<'escalations.timeline'>[number];

/** The escalation steps of this conversation, as local timeline items (never sent to anyone). */
export function EscalationSteps(props: {
  conversationId: string;
  nameOf: (userId: string) => string;
}): React.JSX.Element | null {
  const [steps, setSteps] = useState<Step[]>([]);
  useEffect(() => {
    const load = () =>
      void window.clinical
        .call('escalations.timeline', { conversationId: props.conversationId })
        .then((r) => r.ok && setSteps(r.value));
    load();
    const offs = [
      window.clinical.on('escalations.changed', load),
      window.clinical.on('messages.changed', load),
    ];
    return () => offs.forEach((off) => off());
  }, [props.conversationId]);
  if (steps.length === 0) return null;
  return (
    <ol className="escalation-steps" aria-label="Escalation">
      {steps.map((s, i) => (
        <li key={i} className={`escalation-step escalation-step--${s.kind}`}>
          {stepText(s.kind, s.userId ? props.nameOf(s.userId) : null, s.at)}
        </li>
      ))}
    </ol>
  );
}
