import type { z } from 'zod';
import { z as zod } from 'zod';
import type { CallName, EventName } from './names';
import { AppInfo, ConnectionState } from './schemas';

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
  } satisfies Record<CallName, CallSpec>,
  events: {
    'connection.state': ConnectionState,
  } satisfies Record<EventName, z.ZodType>,
};

type Contract = typeof contract;
export type CallArgs<N extends CallName> = z.input<Contract['calls'][N]['args']>;
export type CallResult<N extends CallName> = z.output<Contract['calls'][N]['result']>;
export type EventPayload<E extends EventName> = z.output<Contract['events'][E]>;

export * from './names';
export * from './result';
export * from './schemas';
