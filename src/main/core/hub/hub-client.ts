import {
  HubConnectionBuilder,
  HubConnectionState,
  LogLevel,
  type HubConnection,
  type ILogger,
} from '@microsoft/signalr';
import {
  HubMethod,
  type HelloResult,
  type HubEventName,
  type HubEventPayload,
  type HubMethodName,
  type HubRequests,
  type HubResult,
} from '../../../shared/hub-protocol';
import type { ConnectionStateStore } from '../connection/connection-state';
import type { AppError } from '../errors';
import type { Logger } from '../log/logger';
import { signalrTransport } from '../network/signalr';
import { backoffDelay, defaultBackoff, foreverRetryPolicy, type BackoffOptions } from './backoff';
import { classifyInvokeFailure, HubCallError, hubUnreachable } from './errors';
import { checkHubResult, guardEventHandler, type OnProtocolViolation } from './validate';

export type HubClientState = 'offline' | 'connecting' | 'connected' | 'reconnecting';

export interface HubClientOptions {
  /** The hub endpoint, e.g. https://hub.hospital.example/hub */
  url: string;
  /** Asked for a fresh token before every negotiate (every connect and reconnect). */
  getAccessToken: () => Promise<string>;
  log: Logger;
  /** When given, the connection state is published there for the UI. */
  connection?: ConnectionStateStore;
  /** Reconnect delays (full jitter, capped); defaults to 1 s initial, 30 s cap. */
  backoff?: BackoffOptions;
  /** Told about every result or event the hub sent that failed its schema (after it was logged). */
  onProtocolViolation?: OnProtocolViolation;
}

export interface ConnectedInfo {
  /** The Hello of this connection (with the device bound, if one is). */
  hello: HelloResult;
  /** False for the first connection after `start()`, true afterwards. */
  reconnected: boolean;
}

/** Binding the remembered device failed for good (the device is forgotten; the session stays user-only). */
export interface BindFailure {
  deviceId: string;
  error: HubCallError;
}

export interface BindOptions {
  /**
   * This device's registration for a challenge nonce (its directory entry with a fresh proof of possession):
   * if the hub no longer knows the device (`not_found` on Hello, e.g. a hub restored from an old backup), a
   * challenge is asked for and the device is registered again with it (RegisterDevice is idempotent).
   */
  registration?: (nonce: string) => HubRequests['RegisterDevice'];
}

export interface HubClient {
  /**
   * Starts connecting, and keeps (re)connecting until `stop()`. Resolves once connected and bound (or when
   * stopped first); never rejects: failures are retried with backoff and visible in `state()`.
   */
  start(): Promise<void>;
  stop(): Promise<void>;
  state(): HubClientState;
  /** The Hello of the current connection, or null while not connected. */
  hello(): HelloResult | null;
  /**
   * Remembers this device and binds it now (if connected) and after every (re)connect, before other calls
   * resume. Resolves with the Hello of the binding, or null when not connected (it binds on connect).
   * A refusal now (e.g. `device_revoked`) rejects and the device is not remembered.
   */
  bindDevice(deviceId: string, options?: BindOptions): Promise<HelloResult | null>;
  boundDeviceId(): string | null;
  /** Runs after every (re)connect, once the device is bound. Handlers run one after another. */
  onConnected(handler: (info: ConnectedInfo) => void | Promise<void>): () => void;
  /** Told when the remembered device could not be bound (revoked, unknown, another user's). */
  onBindFailed(handler: (failure: BindFailure) => void): () => void;
  /**
   * Invokes a hub method with its typed request and returns its validated result. Errors: `HubCallError`
   * (the hub refused; `hubCode`), `AppError('hub_protocol_error')`, `AppError('hub_unreachable')`.
   */
  call<M extends HubMethodName>(method: M, request: HubRequests[M]): Promise<HubResult<M>>;
  /** Subscribes to a hub event; the handler only ever sees payloads valid under the event's schema. */
  on<E extends HubEventName>(
    event: E,
    handler: (payload: HubEventPayload<E>) => void | Promise<void>,
    /** Told of a payload that failed the schema (already reported and dropped), e.g. to ask for a sync. */
    onInvalid?: (raw: unknown) => void,
  ): () => void;
}

type Phase = 'offline' | 'connecting' | 'reconnecting' | 'binding' | 'connected';

/** The longest hub event handlers run in one turn of the event loop before the rest of a burst waits. */
const eventSliceMs = 10;

/** Hub codes after which binding the remembered device can never succeed. */
const fatalBindCodes = new Set(['device_revoked', 'forbidden', 'not_found']);

/** Forwards SignalR's own diagnostics to pino, without anything that could be a token. */
function signalrLogger(log: Logger): ILogger {
  const scrub = (message: string) =>
    message
      .replace(/access_token=[^&\s'"]+/gi, 'access_token=[redacted]')
      .replace(/Bearer\s+[^\s'"]+/gi, 'Bearer [redacted]')
      .replace(/eyJ[\w-]+\.[\w-]+\.[\w-]*/g, '[redacted]')
      .slice(0, 500);
  return {
    log(level, message) {
      if (level >= LogLevel.Error) log.warn({ signalr: scrub(message) }, 'signalr');
      else if (level >= LogLevel.Information) log.debug({ signalr: scrub(message) }, 'signalr');
    },
  };
}

function errorCode(err: unknown): string {
  if (err instanceof HubCallError) return `hub:${err.hubCode}`;
  if (typeof err === 'object' && err !== null && 'code' in err) return String((err as AppError).code);
  if (typeof err === 'object' && err !== null && 'statusCode' in err) {
    return `http:${String((err as { statusCode: unknown }).statusCode)}`;
  }
  return err instanceof Error ? err.name : typeof err;
}

/**
 * The app's connection to the hub: SignalR (JSON protocol) with a token from the IdP on every negotiate,
 * reconnecting forever with jittered exponential backoff — SignalR's own automatic reconnect with a policy
 * that never gives up, plus a loop of our own for what it does not cover (a failed first `start()`, and any
 * `onclose`). After every (re)connect it binds the remembered device with `Hello` before calls resume, then
 * runs the `onConnected` hooks. Everything the hub sends is validated against src/shared/hub-protocol.ts.
 */
export function createHubClient(options: HubClientOptions): HubClient {
  const log = options.log.child({ module: 'hub' });
  const backoff = options.backoff ?? defaultBackoff;
  const sink = { log, onProtocolViolation: options.onProtocolViolation };

  const connection: HubConnection = new HubConnectionBuilder()
    .withUrl(options.url, { accessTokenFactory: () => options.getAccessToken(), ...signalrTransport() })
    .withAutomaticReconnect(foreverRetryPolicy(backoff))
    .configureLogging(signalrLogger(log))
    .build();

  let running = false;
  let phase: Phase = 'offline';
  let everConnected = false;
  let attempt = 0;
  let retryTimer: NodeJS.Timeout | null = null;
  /** Bumped whenever the underlying connection changes; work for an older one is abandoned. */
  let generation = 0;
  let device: { deviceId: string; registration?: BindOptions['registration'] } | null = null;
  let currentHello: HelloResult | null = null;
  const phaseWaiters = new Set<() => void>();
  const connectedHandlers = new Set<(info: ConnectedInfo) => void | Promise<void>>();
  const bindFailedHandlers = new Set<(failure: BindFailure) => void>();
  const eventHandlers = new Map<HubEventName, Set<(...args: unknown[]) => void>>();

  const publicState = (): HubClientState => {
    if (phase === 'binding') return everConnected ? 'reconnecting' : 'connecting';
    return phase;
  };

  const setPhase = (next: Phase): void => {
    if (next === phase) return;
    const before = publicState();
    phase = next;
    const after = publicState();
    if (after !== before) {
      log.info({ state: after }, 'hub connection state');
      options.connection?.set(after);
    }
    for (const wake of [...phaseWaiters]) wake();
  };

  /** Resolves at the next phase change. */
  const nextPhaseChange = () =>
    new Promise<void>((resolve) => {
      const wake = () => {
        phaseWaiters.delete(wake);
        resolve();
      };
      phaseWaiters.add(wake);
    });

  async function invoke<M extends HubMethodName>(method: M, request: HubRequests[M]): Promise<HubResult<M>> {
    if (connection.state !== HubConnectionState.Connected) throw hubUnreachable();
    let raw: unknown;
    try {
      raw = await connection.invoke(method, request);
    } catch (err) {
      const failure = classifyInvokeFailure(method, err);
      log.debug({ method, code: errorCode(failure) }, 'hub call failed');
      throw failure;
    }
    return checkHubResult(method, raw, sink);
  }

  const scheduleStart = (): void => {
    if (!running || retryTimer) return;
    const delay = backoffDelay(attempt++, backoff);
    setPhase(everConnected ? 'reconnecting' : 'connecting');
    retryTimer = setTimeout(() => {
      retryTimer = null;
      void attemptStart();
    }, delay);
  };

  async function attemptStart(): Promise<void> {
    if (!running || connection.state !== HubConnectionState.Disconnected) return;
    setPhase(everConnected ? 'reconnecting' : 'connecting');
    try {
      await connection.start();
    } catch (err) {
      log.info({ code: errorCode(err), attempt }, 'hub connect failed; retrying');
      scheduleStart();
      return;
    }
    await afterConnect(++generation);
  }

  /** Binds the remembered device (or just says Hello); answers the Hello, or null if this failed for now. */
  async function bind(gen: number): Promise<HelloResult | null> {
    const wanted = device;
    if (!wanted) return invoke(HubMethod.Hello, {});
    try {
      return await invoke(HubMethod.Hello, { deviceId: wanted.deviceId });
    } catch (err) {
      if (!(err instanceof HubCallError) || !fatalBindCodes.has(err.hubCode)) throw err;
      if (err.hubCode === 'not_found' && wanted.registration && gen === generation) {
        const { nonce } = await invoke(HubMethod.GetRegistrationChallenge, {});
        await invoke(HubMethod.RegisterDevice, wanted.registration(nonce));
        return invoke(HubMethod.Hello, {});
      }
      if (device === wanted) device = null;
      log.warn({ deviceId: wanted.deviceId, code: err.hubCode }, 'device could not be bound');
      for (const handler of [...bindFailedHandlers]) {
        try {
          handler({ deviceId: wanted.deviceId, error: err });
        } catch (e) {
          log.error({ err: errorCode(e) }, 'onBindFailed handler threw');
        }
      }
      return invoke(HubMethod.Hello, {});
    }
  }

  async function afterConnect(gen: number): Promise<void> {
    if (!running) {
      await connection.stop();
      return;
    }
    setPhase('binding');
    let hello: HelloResult | null;
    try {
      hello = await bind(gen);
    } catch (err) {
      if (gen !== generation) return;
      log.warn({ code: errorCode(err) }, 'hub session could not be set up; reconnecting');
      // A fresh connection after backoff: stop() ends in onclose, which schedules the next attempt.
      if (connection.state === HubConnectionState.Connected) await connection.stop();
      return;
    }
    if (gen !== generation || !running || !hello) return;
    currentHello = hello;
    const reconnected = everConnected;
    everConnected = true;
    attempt = 0;
    setPhase('connected');
    for (const handler of [...connectedHandlers]) {
      if (gen !== generation) return;
      try {
        await handler({ hello, reconnected });
      } catch (err) {
        // A step cut short by the connection dropping (or the client stopping) is not a failure: the next
        // connect runs every handler again.
        const cutShort = gen !== generation || !running || errorCode(err) === 'hub_unreachable';
        if (cutShort) log.info({ code: errorCode(err) }, 'onConnected handler cut short by the connection');
        else log.error({ code: errorCode(err) }, 'onConnected handler failed');
      }
    }
  }

  connection.onreconnecting((err) => {
    generation++;
    currentHello = null;
    log.info({ code: err ? errorCode(err) : undefined }, 'hub connection lost; reconnecting');
    setPhase('reconnecting');
  });
  connection.onreconnected(() => {
    void afterConnect(++generation);
  });
  connection.onclose((err) => {
    generation++;
    currentHello = null;
    if (!running) {
      setPhase('offline');
      return;
    }
    log.info({ code: err ? errorCode(err) : undefined }, 'hub connection closed; reconnecting');
    scheduleStart();
  });

  // Events run as they arrive while they are cheap; once handlers have used `eventSliceMs` in one turn of the
  // event loop (a burst SignalR hands over at once), the rest wait, in order, for the next turns.
  const deferred: Array<() => void> = [];
  let turnStart = 0;
  let inTurn = false;
  const withinSlice = (): boolean => {
    if (!inTurn) {
      inTurn = true;
      turnStart = performance.now();
      setImmediate(() => (inTurn = false));
    }
    return performance.now() - turnStart < eventSliceMs;
  };
  const drainDeferred = (): void => {
    let next = 0;
    while (next < deferred.length && withinSlice()) deferred[next++]!();
    deferred.splice(0, next);
    if (deferred.length > 0) setImmediate(drainDeferred);
  };

  const ensureEventRegistered = (event: HubEventName): Set<(...args: unknown[]) => void> => {
    let handlers = eventHandlers.get(event);
    if (!handlers) {
      const set = new Set<(...args: unknown[]) => void>();
      handlers = set;
      eventHandlers.set(event, set);
      connection.on(event, (...args: unknown[]) => {
        const run = () => {
          for (const handler of [...set]) handler(...args);
        };
        if (deferred.length === 0 && withinSlice()) return run();
        if (deferred.push(run) === 1) setImmediate(drainDeferred);
      });
    }
    return handlers;
  };

  return {
    async start() {
      if (!running) {
        running = true;
        attempt = 0;
        void attemptStart();
      }
      while (running && phase !== 'connected') await nextPhaseChange();
    },

    async stop() {
      running = false;
      if (retryTimer) clearTimeout(retryTimer);
      retryTimer = null;
      generation++;
      await connection.stop();
      currentHello = null;
      setPhase('offline');
      for (const wake of [...phaseWaiters]) wake();
    },

    state: publicState,
    hello: () => (phase === 'connected' ? currentHello : null),

    async bindDevice(deviceId, bindOptions = {}) {
      const previous = device;
      const wanted = { deviceId, registration: bindOptions.registration };
      device = wanted;
      // A binding in progress may have started before this device was known: bind after it.
      while (phase === 'binding') await nextPhaseChange();
      if (phase !== 'connected') return null;
      try {
        const hello = await invoke(HubMethod.Hello, { deviceId });
        currentHello = hello;
        return hello;
      } catch (err) {
        if (!(err instanceof HubCallError)) return null; // lost the connection: it binds on reconnect
        if (device === wanted) device = previous;
        throw err;
      }
    },

    boundDeviceId: () => device?.deviceId ?? null,

    onConnected(handler) {
      connectedHandlers.add(handler);
      return () => connectedHandlers.delete(handler);
    },

    onBindFailed(handler) {
      bindFailedHandlers.add(handler);
      return () => bindFailedHandlers.delete(handler);
    },

    async call(method, request) {
      // Calls wait while the device is being bound after a (re)connect, so none runs on an unbound session.
      while (phase === 'binding') await nextPhaseChange();
      if (phase !== 'connected') throw hubUnreachable();
      return invoke(method, request);
    },

    on(event, handler, onInvalid) {
      const set = ensureEventRegistered(event);
      const guarded = guardEventHandler(event, handler, sink, onInvalid);
      set.add(guarded);
      return () => set.delete(guarded);
    },
  };
}
