import {
  contract,
  fail,
  ok,
  type CallArgs,
  type CallName,
  type CallResult,
  type Result,
} from '../../../shared/contract';
import { AppError } from '../errors';
import type { Logger } from '../log/logger';

export type CallHandlers = {
  [N in CallName]: (args: CallArgs<N>) => Promise<CallResult<N>> | CallResult<N>;
};

export interface Dispatcher {
  /** Validates the call name and arguments against the contract, runs the handler, validates its result. */
  dispatch(name: string, args: unknown): Promise<Result<unknown>>;
}

const isCallName = (name: string): name is CallName =>
  Object.prototype.hasOwnProperty.call(contract.calls, name);

export function createDispatcher(handlers: CallHandlers, log: Logger): Dispatcher {
  return {
    async dispatch(name, args) {
      if (!isCallName(name)) return fail('unknown_call', `No such call: ${String(name).slice(0, 64)}`);
      const spec = contract.calls[name];
      const parsed = spec.args.safeParse(args);
      if (!parsed.success) {
        const where = parsed.error.issues[0]?.path.join('.') || '(arguments)';
        return fail('invalid_args', `Invalid arguments for ${name} at ${where}`);
      }
      const started = performance.now();
      const ms = () => Math.round(performance.now() - started);
      try {
        const handler = handlers[name] as (a: unknown) => unknown;
        const value = await handler(parsed.data);
        const checked = spec.result.safeParse(value);
        if (!checked.success) {
          log.error(
            { call: name, issues: checked.error.issues.length },
            'handler returned a result outside the contract',
          );
          return fail('internal', 'The application produced an invalid answer.');
        }
        // The call's name and time only: its arguments and answer hold message text, names and queries.
        log.debug({ call: name, ms: ms() }, 'call');
        return ok(checked.data);
      } catch (error) {
        if (error instanceof AppError) {
          // What the user was told, by code, so IT can match a ward's report to the log.
          log.info({ call: name, code: error.code, ms: ms() }, 'call refused');
          return fail(error.code, error.message);
        }
        log.error({ call: name, err: error instanceof Error ? error.name : typeof error }, 'call failed');
        return fail('internal', 'Something went wrong. The error has been logged without patient data.');
      }
    },
  };
}
