import { useEffect, useState } from 'react';
import type { EscalationStepView } from '../../../../shared/contract';

/** The escalation steps of a conversation (local items, never sent), asked again whenever they may change. */
export function useEscalationSteps(conversationId: string): EscalationStepView[] {
  const [steps, setSteps] = useState<EscalationStepView[]>([]);
  useEffect(() => {
    let live = true;
    const load = () =>
      void window.clinical
        .call('escalations.timeline', { conversationId })
        .then((r) => live && r.ok && setSteps(r.value));
    load();
    const offs = [
      window.clinical.on('escalations.changed', load),
      window.clinical.on('messages.changed', load),
    ];
    return () => {
      live = false;
      offs.forEach((off) => off());
    };
  }, [conversationId]);
  return steps;
}
