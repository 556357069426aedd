import type { EscalationStepView } from '../../../../shared/contract';
import { stepText } from './text';

/** One escalation step as a system row of the conversation's timeline, at the time it happened. */
export function EscalationStepRow(props: {
  step: EscalationStepView;
  nameOf: (userId: string) => string;
  roleName: (roleId: string) => string;
}): React.JSX.Element {
  const { step } = props;
  const urgent = step.kind === 'deadline-passed' || step.kind === 'no-target';
  return (
    <p
      role="note"
      className={`alert ${urgent ? 'alert--warning' : 'alert--info'} escalation-step`}
      data-testid="escalation-step"
    >
      {stepText(
        step.kind,
        step.userId ? props.nameOf(step.userId) : null,
        step.at,
        step.roleId ? props.roleName(step.roleId) : null,
      )}
    </p>
  );
}
