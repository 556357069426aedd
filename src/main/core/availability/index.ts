export { available, checkChoice, current, fromHub, notifiesNow } from './rules';
export {
  createAvailability,
  holderAvailability,
  type AvailabilityOptions,
  type AvailabilityService,
} from './service';
