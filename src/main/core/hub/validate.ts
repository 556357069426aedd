import type { z } from 'zod';
import {
  HubEvents,
  HubResults,
  type HubEventName,
  type HubEventPayload,
  type HubMethodName,
  type HubResult,
  type SyncResult,
} from '../../../shared/hub-protocol';
import type { Logger } from '../log/logger';
import { hubProtocolError } from './errors';

/**
 * What was wrong with something the hub sent, described without its contents: the schema paths and issue
 * codes, and the identifiers found at the top level (ids and sequence numbers only).
 */
export interface ProtocolViolation {
  kind: 'result' | 'event';
  /** The method (for a result) or event name. */
  name: string;
  issues: { path: string; code: string }[];
  ids: Record<string, string | number>;
}

export type OnProtocolViolation = (violation: ProtocolViolation) => void;

const idFields = ['conversationId', 'envelopeId', 'userId', 'deviceId', 'senderDeviceId'] as const;
const idPattern = /^[A-Za-z0-9._:-]{1,128}$/;

/** Identifiers at the top level of a payload (never free text, never binary fields). */
export function identifiersOf(raw: unknown): Record<string, string | number> {
  const ids: Record<string, string | number> = {};
  if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) return ids;
  const record = raw as Record<string, unknown>;
  for (const field of idFields) {
    const value = record[field];
    if (typeof value === 'string' && idPattern.test(value)) ids[field] = value;
  }
  if (typeof record.seq === 'number' && Number.isSafeInteger(record.seq)) ids.seq = record.seq;
  return ids;
}

function describe(kind: ProtocolViolation['kind'], name: string, raw: unknown, error: z.ZodError) {
  return {
    kind,
    name,
    issues: error.issues.slice(0, 20).map((issue) => ({
      path: issue.path.map(String).join('.'),
      code: issue.code,
    })),
    ids: identifiersOf(raw),
  } satisfies ProtocolViolation;
}

export interface ValidationSink {
  log: Logger;
  onProtocolViolation?: OnProtocolViolation;
}

// A hostile hub can push thousands of bad events a second: one log line per kind and name every 10 s, with
// the count of those not logged since; the callback still hears of each one.
const logEveryMs = 10_000;
const lastLogged = new WeakMap<ValidationSink, Map<string, { at: number; unlogged: number }>>();

function shouldLog(sink: ValidationSink, violation: ProtocolViolation): number | null {
  let byName = lastLogged.get(sink);
  if (!byName) lastLogged.set(sink, (byName = new Map()));
  const key = `${violation.kind}\u0000${violation.name}`;
  const now = Date.now();
  const seen = byName.get(key);
  if (seen && now - seen.at < logEveryMs) {
    seen.unlogged++;
    return null;
  }
  byName.set(key, { at: now, unlogged: 0 });
  return seen?.unlogged ?? 0;
}

function report(sink: ValidationSink, violation: ProtocolViolation): void {
  const unloggedBefore = shouldLog(sink, violation);
  if (unloggedBefore !== null) {
    sink.log.warn(
      {
        hubProtocolViolation: violation.kind,
        name: violation.name,
        issues: violation.issues,
        ids: violation.ids,
        unloggedBefore,
      },
      'hub sent data that does not follow the protocol; dropped',
    );
  }
  try {
    sink.onProtocolViolation?.(violation);
  } catch (err) {
    sink.log.error({ err: errorName(err) }, 'onProtocolViolation callback threw');
  }
}

function errorName(err: unknown): string {
  return err instanceof Error ? err.name : typeof err;
}

/**
 * Checks a method's answer against its schema. A malformed answer is reported (ids only) and becomes
 * `AppError('hub_protocol_error')`; nothing of it reaches the caller.
 */
export function checkHubResult<M extends HubMethodName>(
  method: M,
  raw: unknown,
  sink: ValidationSink,
): HubResult<M> {
  const parsed = (HubResults[method] as z.ZodType).safeParse(raw);
  if (parsed.success) {
    if (method === 'Sync') reportRefusedItems(parsed.data as SyncResult, sink);
    return parsed.data as HubResult<M>;
  }
  report(sink, describe('result', method, raw, parsed.error));
  throw hubProtocolError(`the answer to ${method}`);
}

/**
 * Items of a `Sync` page refused on their own (the rest of the page is used): one report per page, naming up to
 * 20 of them by conversation and seq, so a flood of junk does not become a flood of log lines.
 */
function reportRefusedItems(page: SyncResult, sink: ValidationSink): void {
  if (page.refused.length === 0 && page.unplaceable === 0) return;
  const first = page.refused[0];
  report(sink, {
    kind: 'result',
    name: 'Sync',
    issues: [
      ...page.refused.slice(0, 20).map((r) => ({
        path: `${r.conversationId}#${r.seq}`,
        code: r.reason,
      })),
      ...(page.unplaceable > 0 ? [{ path: 'envelopes', code: `unplaceable:${page.unplaceable}` }] : []),
    ],
    ids: first ? { conversationId: first.conversationId, seq: first.seq, refused: page.refused.length } : {},
  });
}

/**
 * Wraps an event handler so that it only ever sees payloads valid under the event's schema. Anything else is
 * reported (ids only) and dropped; `onInvalid` is told of it (raw, for the caller to place, never to use). A handler that throws is logged and does not disturb other handlers.
 */
export function guardEventHandler<E extends HubEventName>(
  event: E,
  handler: (payload: HubEventPayload<E>) => void | Promise<void>,
  sink: ValidationSink,
  onInvalid?: (raw: unknown) => void,
): (...args: unknown[]) => void {
  return (...args: unknown[]) => {
    const raw = args[0];
    const parsed = args.length === 1 ? (HubEvents[event] as z.ZodType).safeParse(raw) : null;
    if (!parsed?.success) {
      const violation: ProtocolViolation = parsed
        ? describe('event', event, raw, parsed.error)
        : {
            kind: 'event',
            name: event,
            issues: [{ path: '', code: `expected 1 argument, got ${args.length}` }],
            ids: {},
          };
      report(sink, violation);
      try {
        onInvalid?.(raw);
      } catch (err) {
        sink.log.error({ event, err: errorName(err) }, 'hub event onInvalid callback threw');
      }
      return;
    }
    try {
      const result = handler(parsed.data as HubEventPayload<E>);
      if (result instanceof Promise) {
        result.catch((err: unknown) =>
          sink.log.error({ event, err: errorName(err) }, 'hub event handler failed'),
        );
      }
    } catch (err) {
      sink.log.error({ event, err: errorName(err) }, 'hub event handler failed');
    }
  };
}
