import type { z } from 'zod';
import { z as zod } from 'zod';
import type { CallName, EventName } from './names';
import { AppInfo, ConnectionState, ContactDevice, Pin, SessionState } from './schemas';

interface CallSpec {
  args: z.ZodType;
  result: z.ZodType;
}

/**
 * The one IPC contract: every call and event between renderer and main, named once (names.ts) with its
 * schemas here. Main validates every incoming call and outgoing event against it; the preload exposes
 * exactly these names; the renderer's types are inferred from it.
 */
export const contract = {
  calls: {
    'app.info': { args: zod.undefined(), result: AppInfo },
    'connection.current': { args: zod.undefined(), result: ConnectionState },
    'session.current': { args: zod.undefined(), result: SessionState },
    'session.signIn': { args: zod.strictObject({ profileId: zod.uuid().optional() }), result: SessionState },
    'session.signOut': { args: zod.undefined(), result: SessionState },
    'session.switchUser': { args: zod.undefined(), result: SessionState },
    'session.lock': { args: zod.undefined(), result: SessionState },
    'session.unlockWithPin': { args: zod.strictObject({ pin: Pin }), result: SessionState },
    'session.unlockWithSignIn': { args: zod.undefined(), result: SessionState },
    'session.setPin': { args: zod.strictObject({ pin: Pin }), result: SessionState },
    'session.setIdleTimeout': {
      args: zod.strictObject({ minutes: zod.int().min(1).max(240) }),
      result: SessionState,
    },
    'session.activity': { args: zod.undefined(), result: zod.null() },
    'session.reenrol': { args: zod.undefined(), result: SessionState },
    'keys.contactDevices': {
      args: zod.strictObject({ userIds: zod.array(zod.string().min(1).max(128)).min(1).max(500) }),
      result: zod.array(ContactDevice),
    },
    'keys.acceptKeyChange': {
      args: zod.strictObject({
        userId: zod.string().min(1).max(128),
        deviceId: zod.string().min(1).max(128),
      }),
      result: zod.array(ContactDevice),
    },
  } satisfies Record<CallName, CallSpec>,
  events: {
    'connection.state': ConnectionState,
    'session.state': SessionState,
  } satisfies Record<EventName, z.ZodType>,
};

type Contract = typeof contract;
export type CallArgs<N extends CallName> = z.input<Contract['calls'][N]['args']>;
export type CallResult<N extends CallName> = z.output<Contract['calls'][N]['result']>;
export type EventPayload<E extends EventName> = z.output<Contract['events'][E]>;

export * from './names';
export * from './result';
export * from './schemas';
