import { fail, type CallName } from '../../../shared/contract';
import { AppError } from '../errors';
import type { HubClient } from '../hub';
import type { Dispatcher } from '../ipc/dispatcher';
import type { MinimumVersionGate } from './minimum-version';

/** The contract calls that send (the rest, reading included, are unaffected by the hub's minimum version). */
const sendingCalls: readonly CallName[] = [
  'messages.send',
  'messages.acknowledge',
  'conversations.create',
  'conversations.addMember',
  'conversations.removeMember',
  'conversations.leave',
  'conversations.setPatient',
  'documents.attach',
  'roles.send',
  'broadcasts.send',
  'directory.setAvailability',
];

/**
 * Refuses the sending calls with `update_required` while the hub's minimum version is above this one, before
 * anything is sealed or queued: a refused message is not left waiting in the outbox.
 */
export function gateSendingCalls(dispatcher: Dispatcher, gate: MinimumVersionGate): Dispatcher {
  return {
    ...dispatcher,
    dispatch(name, args) {
      if ((sendingCalls as readonly string[]).includes(name)) {
        try {
          gate.assertMaySend();
        } catch (error) {
          if (error instanceof AppError) return Promise.resolve(fail(error.code, error.message));
          throw error;
        }
      }
      return dispatcher.dispatch(name, args);
    },
  };
}

/**
 * The hub client the messaging engine uses, with every sending method refused while an update is required
 * (what was queued before stays queued, unsent). Each call first takes the minimum from the current Hello, so
 * the check never runs on an older connection's value.
 */
export function gateHubCalls(hub: HubClient, gate: MinimumVersionGate): HubClient {
  return {
    ...hub,
    call: async (method, request) => {
      const hello = hub.hello();
      if (hello) gate.observe(hello.minimumClientVersion);
      if (gate.isSending(method)) gate.assertMaySend();
      return hub.call(method, request);
    },
  };
}
