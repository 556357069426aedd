export { systemClock, type Clock } from './clock';
export {
  createEscalationService,
  deadlineOptions,
  nobodyOnCall,
  type EscalationService,
  type ResolveRoleBackup,
  type SendWithDeadline,
  type DeadlineChoice,
} from './service';
export type { EscalationTarget } from './machine';
