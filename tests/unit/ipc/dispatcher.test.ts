import { Writable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { callHandlers } from '../../../src/main/core/handlers';
import { coreForTest } from '../../support/core';
import { AppError } from '../../../src/main/core/errors';
import { createDispatcher, type CallHandlers } from '../../../src/main/core/ipc/dispatcher';
import { createLogger } from '../../../src/main/core/log/logger';
import { bridgeChannels, callNames, contract, eventNames } from '../../../src/shared/contract';

function capturedLog(): { log: ReturnType<typeof createLogger>; lines: string[] } {
  const lines: string[] = [];
  const destination = new Writable({
    write(chunk, _enc, done) {
      lines.push(String(chunk));
      done();
    },
  });
  return { log: createLogger({ destination }), lines };
}

const core = coreForTest({ appVersion: '9.9.9', log: capturedLog().log });
const realHandlers = (): CallHandlers =>
  callHandlers({
    appInfo: () => {
      throw new Error('unused');
    },
    diagnostics: () => {
      throw new Error('unused');
    },
    updates: {
      status: () => {
        throw new Error('unused');
      },
    },
    connection: core.connection,
    session: core.session,
    messaging: () => {
      throw new Error('unused');
    },
    documents: () => {
      throw new Error('unused');
    },
    preferences: () => {
      throw new Error('unused');
    },
    escalations: () => {
      throw new Error('unused');
    },
    roles: () => {
      throw new Error('unused');
    },
    broadcasts: () => {
      throw new Error('unused');
    },
    availability: () => {
      throw new Error('unused');
    },
  });

describe('IPC contract', () => {
  it('names every call and event once, with schemas, and the bridge channels follow the names', () => {
    expect(Object.keys(contract.calls).sort()).toEqual([...callNames].sort());
    expect(Object.keys(contract.events).sort()).toEqual([...eventNames].sort());
    expect(Object.keys(bridgeChannels.calls).sort()).toEqual([...callNames].sort());
    expect(
      new Set([...Object.values(bridgeChannels.calls), ...Object.values(bridgeChannels.events)]).size,
    ).toBe(callNames.length + eventNames.length);
  });
});

describe('dispatcher', () => {
  it('answers app.info through the contract', async () => {
    const result = await core.dispatcher.dispatch('app.info', undefined);
    expect(result).toMatchObject({ ok: true, value: { version: '9.9.9', platform: 'linux' } });
  });

  it('refuses a call that is not in the contract', async () => {
    expect(await core.dispatcher.dispatch('fs.readFile', '/etc/passwd')).toEqual({
      ok: false,
      error: { code: 'unknown_call', message: 'No such call: fs.readFile' },
    });
    expect(await core.dispatcher.dispatch('__proto__', undefined)).toMatchObject({
      ok: false,
      error: { code: 'unknown_call' },
    });
  });

  it('refuses arguments that do not match the schema, naming the call', async () => {
    const result = await core.dispatcher.dispatch('app.info', { sneaky: true });
    expect(result).toMatchObject({
      ok: false,
      error: { code: 'invalid_args', message: expect.stringContaining('app.info') },
    });
  });

  it('turns a typed error into its code and message, and hides anything else', async () => {
    const { log, lines } = capturedLog();
    const throwing = (error: unknown): CallHandlers => ({
      ...realHandlers(),
      'app.info': () => {
        throw error;
      },
      'connection.current': () => core.connection.current(),
    });
    const typed = createDispatcher(throwing(new AppError('not_configured', 'No hub is configured.')), log);
    expect(await typed.dispatch('app.info', undefined)).toEqual({
      ok: false,
      error: { code: 'not_configured', message: 'No hub is configured.' },
    });
    const untyped = createDispatcher(throwing(new Error('patient Jane Doe MRN 123 exploded')), log);
    const result = await untyped.dispatch('app.info', undefined);
    expect(result).toMatchObject({ ok: false, error: { code: 'internal' } });
    expect(JSON.stringify(result)).not.toContain('Jane Doe');
    expect(lines.join('')).not.toContain('Jane Doe');
  });

  it('refuses to pass on a result that breaks the contract', async () => {
    const { log } = capturedLog();
    const broken = createDispatcher(
      {
        ...realHandlers(),
        'app.info': () => ({ version: 1 }) as never,
        'connection.current': () => core.connection.current(),
      },
      log,
    );
    expect(await broken.dispatch('app.info', undefined)).toMatchObject({
      ok: false,
      error: { code: 'internal' },
    });
  });
});

describe('connection.state events', () => {
  it('publishes each change once, validated against the contract', () => {
    const seen: unknown[] = [];
    const stop = core.events.subscribe((name, payload) => seen.push({ name, payload }));
    core.connection.set('connecting');
    core.connection.set('connecting');
    core.connection.set('connected', 2);
    stop();
    expect(seen).toEqual([
      { name: 'connection.state', payload: expect.objectContaining({ state: 'connecting', queued: 0 }) },
      { name: 'connection.state', payload: expect.objectContaining({ state: 'connected', queued: 2 }) },
    ]);
    expect(() => core.events.emit('connection.state', { state: 'exploded' } as never)).toThrow();
  });
});
