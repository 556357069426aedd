import { useEffect, useState } from 'react';
import type { CallResult } from '../../../../shared/contract';
import { t } from '../../i18n';
import { useRoles } from '../roles/useRoles';

export type AwaitingMine = CallResult<'escalations.awaitingMine'>[number];
export type AwaitingOthers = CallResult<'escalations.awaitingOthers'>[number];

/** Both awaiting lists, asked again whenever an escalation or a conversation changes. */
export function useAwaiting(): { mine: AwaitingMine[]; others: AwaitingOthers[] } {
  const [mine, setMine] = useState<AwaitingMine[]>([]);
  const [others, setOthers] = useState<AwaitingOthers[]>([]);
  useEffect(() => {
    let live = true;
    const refresh = () =>
      void Promise.all([
        window.clinical.call('escalations.awaitingMine'),
        window.clinical.call('escalations.awaitingOthers'),
      ]).then(([m, o]) => {
        if (!live) return;
        if (m.ok) setMine(m.value);
        if (o.ok) setOthers(o.value);
      });
    refresh();
    const offs = [
      window.clinical.on('escalations.changed', refresh),
      window.clinical.on('messages.changed', refresh),
    ];
    // Time left moves on its own; a refresh now and then keeps it current.
    const timer = setInterval(refresh, 10_000);
    return () => {
      live = false;
      offs.forEach((off) => off());
      clearInterval(timer);
    };
  }, []);
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

/** A role's roster name, for the escalation views (a role no longer on the roster by its id). */
export function useRoleName(): (roleId: string) => string {
  const { roles } = useRoles();
  return (roleId) =>
    roles.find((r) => r.roleId === roleId)?.name ?? t('escalation.unknownRole', { id: roleId });
}
