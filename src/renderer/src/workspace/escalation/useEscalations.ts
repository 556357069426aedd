import { useCallback, useEffect, useState } from 'react';
import type { CallResult } from '../../../../shared/contract';

export type AwaitingMine = CallResult<'escalations.awaitingMine'>[number];
export type AwaitingOthers = CallResult<'escalations.awaitingOthers'>[number];

/** Both awaiting lists, asked again whenever an escalation or a conversation changes. */
export function useAwaiting(): { mine: AwaitingMine[]; others: AwaitingOthers[] } {
  const [mine, setMine] = useState<AwaitingMine[]>([]);
  const [others, setOthers] = useState<AwaitingOthers[]>([]);
  const refresh = useCallback(async () => {
    const [m, o] = await Promise.all([
      window.clinical.call('escalations.awaitingMine'),
      window.clinical.call('escalations.awaitingOthers'),
    ]);
    if (m.ok) setMine(m.value);
    if (o.ok) setOthers(o.value);
  }, []);
  useEffect(() => {
    void refresh();
    const offs = [
      window.clinical.on('escalations.changed', () => void refresh()),
      window.clinical.on('messages.changed', () => void refresh()),
    ];
    // Time left moves on its own; a refresh now and then keeps it current.
    const timer = setInterval(() => void refresh(), 10_000);
    return () => {
      offs.forEach((off) => off());
      clearInterval(timer);
    };
  }, [refresh]);
  return { mine, others };
}

/** The deadline choice of the composer: the policy's choices and default. */
export function useDeadline(): {
  choices: number[];
  minutes: number | null;
  setMinutes: (m: number) => void;
} {
  const [choices, setChoices] = useState<number[]>([]);
  const [minutes, setMinutes] = useState<number | null>(null);
  useEffect(() => {
    void window.clinical.call('escalations.options').then((r) => {
      if (!r.ok) return;
      setChoices(r.value.choices);
      setMinutes(r.value.defaultMinutes);
    });
  }, []);
  return { choices, minutes, setMinutes };
}
