// A hospital in a box for integration tests: the real IdP and hub, Chromium standing in for the system
// browser, the real OS keychain, and app cores (plain Node, the same as the Electron shell drives).
import { randomUUID } from 'node:crypto';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Browser } from 'playwright-core';
import { createCore, type Core, type CoreOptions } from '../../src/main/core';
import { createOsKeychain, type Keychain } from '../../src/main/core/keychain';
import { loadDevice, type LoadedDevice } from '../../src/main/core/keys';
import { connectDeviceToHub } from '../../src/main/core/session';
import type {
  CallName,
  ConversationView,
  MessageView,
  Result,
  SessionState,
} from '../../src/shared/contract';
import { startGateway, type RunningGateway } from '../stack/gateway';
import { startStack, type HubOverrides, type Stack } from '../stack/hub/hub-test-kit';
import { startKeyService, type RunningKeyService } from '../stack/key-service';
import { launchChromium } from '../stack/idp/test-helpers';
import { waitFor } from '../integration/hub-client/helpers';
import { systemBrowser } from './system-browser';

export type CoreOverrides = { appDataDir?: string; policyFile?: string } & Partial<
  Pick<
    CoreOptions,
    | 'pickFile'
    | 'pickSavePath'
    | 'notify'
    | 'deviceName'
    | 'connectDevice'
    | 'log'
    | 'logFiles'
    | 'appVersion'
    | 'clock'
    | 'timers'
    | 'resolveRoleBackup'
    | 'parallelOpen'
  >
>;

export interface Workstation {
  stack: Stack;
  /** The hospital's key-release service, when the workstation was started with one. */
  keyService: RunningKeyService | null;
  login: ReturnType<typeof systemBrowser>;
  keychain: Keychain;
  /** The keychain service the cores use (a child process opens the same one). */
  keychainService: string;
  /** A machine policy pointing at the stack, written into `dir`. */
  policyFile(dir: string, extra?: Record<string, unknown>): string;
  /** A new app core on this workstation (its own data folder unless one is given). */
  newCore(options?: CoreOverrides): Core;
  credentials(username: string): { username: string; password: string };
  /** Where a core keeps its profiles, and the machine policy it was started with. */
  appDataDirOf(core: Core): string;
  policyFileOf(core: Core): string;
  close(): Promise<void>;
}

export interface WorkstationOptions {
  accessTokenTtlSeconds?: number;
  /** Starts the key-release service and names it in the machine policy. */
  keyService?: { requireMfa?: boolean };
  /** Usernames whose access tokens carry no MFA claim. */
  withoutMfa?: string[];
  /** Hub settings, e.g. the minimum client version it announces (docs/updates.md). */
  hub?: HubOverrides;
}

export async function startWorkstation(options: WorkstationOptions = {}): Promise<Workstation> {
  const stack = await startStack(options.hub ?? {}, {
    ...(options.accessTokenTtlSeconds ? { accessTokenTtlSeconds: options.accessTokenTtlSeconds } : {}),
    ...(options.withoutMfa ? { withoutMfa: options.withoutMfa } : {}),
  });
  const keyService = options.keyService
    ? await startKeyService({
        tls: stack.tls,
        dataDir: join(stack.dataDir, 'key-service'),
        issuer: stack.idp.issuer,
        audience: stack.idp.hubAudience,
        jwksUri: stack.idp.jwksUri,
        requireMfa: options.keyService.requireMfa ?? false,
      })
    : null;
  const browser: Browser = await launchChromium(stack.tls);
  const login = systemBrowser(browser);
  const keychainService = `Clinical Messenger test ${randomUUID()}`;
  const keychain = createOsKeychain(keychainService);
  const cores: Core[] = [];
  const placeOf = new Map<Core, { appDataDir: string; policyFile: string }>();
  const policyFile = (dir: string, extra: Record<string, unknown> = {}): string => {
    const file = join(dir, 'policy.json');
    writeFileSync(
      file,
      JSON.stringify({
        hubUrl: stack.hub.url,
        idp: {
          authority: stack.idp.authority,
          clientId: stack.idp.clientId,
          scopes: [stack.idp.hubScope],
          knownAuthorities: [new URL(stack.idp.origin).host],
        },
        idleLockMaxMinutes: 10,
        ...(keyService
          ? {
              keyService: {
                url: keyService.url,
                releasePublicKey: keyService.releasePublicKey,
                signingPublicKey: keyService.signingPublicKey,
              },
            }
          : {}),
        ...extra,
      }),
    );
    return file;
  };
  return {
    stack,
    keyService,
    login,
    keychain,
    keychainService,
    policyFile,
    newCore({ appDataDir, policyFile: machine, ...rest } = {}) {
      const dir = appDataDir ?? mkdtempSync(join(tmpdir(), 'cm-workstation-'));
      const policy = machine ?? policyFile(dir);
      const core = createCore({
        appName: 'Clinical Messenger',
        appVersion: '0.1.0',
        platform: 'linux',
        policyFiles: { machine: policy, user: null },
        appDataDir: dir,
        keychain,
        openBrowser: login.openBrowser,
        connectDevice: (o) => connectDeviceToHub({ ...o, backoff: { initialMs: 100, maxMs: 1_000 } }),
        ...rest,
      });
      cores.push(core);
      placeOf.set(core, { appDataDir: dir, policyFile: policy });
      return core;
    },
    appDataDirOf: (core) => placeOf.get(core)!.appDataDir,
    policyFileOf: (core) => placeOf.get(core)!.policyFile,
    credentials(username) {
      const user = stack.idp.users.find((u) => u.username === username);
      if (!user) throw new Error(`no seeded user ${username}`);
      return { username, password: user.password };
    },
    async close() {
      for (const core of cores) await core.close();
      for (const account of await keychain.list()) await keychain.delete(account);
      await browser.close();
      await keyService?.close();
      await stack.close();
    },
  };
}

/** Calls the core through the IPC contract, exactly as the renderer would. */
export async function ask<T>(core: Core, name: CallName, args?: unknown): Promise<Result<T>> {
  return (await core.dispatcher.dispatch(name, args)) as Result<T>;
}

/** Like `ask`, but the call must succeed. */
export async function must<T = SessionState>(core: Core, name: CallName, args?: unknown): Promise<T> {
  const result = await ask<T>(core, name, args);
  if (!result.ok) throw new Error(`${name} failed: ${result.error.code} ${result.error.message}`);
  return result.value;
}

/** The profile a signed-in core has open. */
export async function activeProfileId(core: Core): Promise<string> {
  const state = await must<SessionState>(core, 'session.current');
  if (state.status !== 'active') throw new Error(`expected an active session, got ${state.status}`);
  return state.profile.profileId;
}

/** The device keys of the profile a signed-in core has open, from the OS keychain. */
export const deviceOf = async (ws: Workstation, core: Core): Promise<LoadedDevice> =>
  loadDevice(ws.keychain, await activeProfileId(core));

/** The newest 200 messages of a conversation, as the core shows them. */
export const messagePage = (core: Core, conversationId: string) =>
  must<MessageView[]>(core, 'messages.page', { conversationId, limit: 200 });

/** Every stored message of a conversation, paged through as the timeline scrolls back, oldest first. */
export async function allMessages(core: Core, conversationId: string): Promise<MessageView[]> {
  const all: MessageView[] = [];
  for (let beforeSeq: number | undefined; ;) {
    const page = await must<MessageView[]>(core, 'messages.page', {
      conversationId,
      limit: 200,
      ...(beforeSeq === undefined ? {} : { beforeSeq }),
    });
    if (page.length === 0) return all.sort((x, y) => (x.seq ?? 0) - (y.seq ?? 0));
    all.push(...page);
    beforeSeq = Math.min(...page.map((m) => m.seq!));
  }
}

/** A plain message: not urgent, no acknowledgement asked, no patient. */
export const sendText = (core: Core, conversationId: string, text: string) =>
  must<{ envelopeId: string }>(core, 'messages.send', {
    conversationId,
    text,
    urgent: false,
    ackRequired: false,
    patient: null,
  });

export const connected = (core: Core, timeoutMs?: number): Promise<void> =>
  waitFor('hub connected', () => core.connection.current().state === 'connected', timeoutMs);

/** Signs a seeded user in on a new core (a first sign-in through the real login page). */
export async function signedIn(
  ws: Workstation,
  username: string,
  overrides: CoreOverrides = {},
): Promise<Core> {
  const core = ws.newCore(overrides);
  ws.login.next(ws.credentials(username));
  const state = await must(core, 'session.signIn', {});
  if (state.status !== 'active') throw new Error(`sign-in ended ${state.status}`);
  await connected(core);
  // A first device makes the user's key as it connects; tests start once colleagues can seal to it.
  await eventually('the user key is published', async () => {
    const engine = core.messaging();
    return engine !== null && engine.userKeyStatus().status.state !== 'waiting';
  });
  return core;
}

/** Waits until a conversation someone created has reached this colleague's list. */
export const conversationReached = (core: Core, conversationId: string): Promise<void> =>
  eventually('the conversation arrives', async () =>
    (await must<ConversationView[]>(core, 'conversations.list')).some(
      (c) => c.conversationId === conversationId,
    ),
  );

/** Sets a PIN and switches user, as a colleague who leaves her workstation: answers her profile's id. */
export async function stepAway(core: Core, pin = '1470'): Promise<string> {
  const profileId = await activeProfileId(core);
  await must(core, 'session.setPin', { pin });
  await must(core, 'session.switchUser');
  return profileId;
}

/** She comes back (her profile, her PIN) and waits until her catch-up has stored `seq` of the conversation. */
export async function caughtUp(
  core: Core,
  profileId: string,
  conversationId: string,
  seq: number,
  pin = '1470',
): Promise<void> {
  await must(core, 'session.signIn', { profileId });
  await must(core, 'session.unlockWithPin', { pin });
  await connected(core);
  await eventually('the catch-up is stored', async () =>
    (await messagePage(core, conversationId)).some((m) => m.seq === seq),
  );
}

/** Polls an async condition until it holds (a bound on waiting for something a user would see, not a timing assertion). */
export async function eventually(
  what: string,
  check: () => Promise<boolean>,
  timeoutMs = 60_000,
): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for: ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

/**
 * Sends each line in turn, waiting until the hub has accepted it (a seq on every member's core) before the
 * next one is written, so the conversation's order is the lines' order whoever sends them.
 */
export async function converse(
  conversationId: string,
  lines: readonly (readonly [from: Core, text: string])[],
  members: readonly Core[],
): Promise<void> {
  const accepted = async (core: Core): Promise<number> => {
    const page = await messagePage(core, conversationId);
    return page.filter((m) => m.verdict === 'valid' && m.seq !== null).length;
  };
  const before = await Promise.all(members.map(accepted));
  for (const [i, [from, text]] of lines.entries()) {
    await sendText(from, conversationId, text);
    await eventually('every member has the message from the hub', async () =>
      (await Promise.all(members.map(accepted))).every((n, m) => n === before[m]! + i + 1),
    );
  }
}

/** The usual pair: Dr Asha Rao and Dr Samuel Okafor, each signed in on their own core. */
export async function twoClinicians(): Promise<{ ws: Workstation; asha: Core; samuel: Core }> {
  const ws = await startWorkstation();
  const asha = await signedIn(ws, 'dr.asha.rao');
  const samuel = await signedIn(ws, 'dr.samuel.okafor');
  return { ws, asha, samuel };
}

/**
 * A private document gateway beside the workstation's IdP, accepting its access tokens, with the fault
 * switches on (tests corrupt blocks and truncate CARs), and a machine policy that points the app at it.
 */
export async function withDocumentGateway(
  ws: Workstation,
  policy: Record<string, unknown> = {},
): Promise<{ gateway: RunningGateway; policyFile: string }> {
  const { idp, tls } = ws.stack;
  const gateway = await startGateway({
    tls,
    dataDir: mkdtempSync(join(tmpdir(), 'cm-gateway-')),
    token: 'operator-token-not-used-by-the-app',
    faults: true,
    trustedIssuer: { issuer: idp.issuer, audience: idp.hubAudience, jwksUri: idp.jwksUri, ca: tls.ca },
  });
  const policyFile = ws.policyFile(mkdtempSync(join(tmpdir(), 'cm-gateway-policy-')), {
    gatewayUrl: gateway.url,
    ...policy,
  });
  return { gateway, policyFile };
}
