export {
  setPin,
  unlockWithPin,
  resetAfterSignIn,
  clearPin,
  pinStatus,
  PinWrongError,
  defaultMaxPinAttempts,
  type PinStatus,
} from './pin';
export {
  createIdleLock,
  type IdleLock,
  type IdleLockOptions,
  type LockState,
  type LockReason,
} from './idle-lock';
