// A real app core in its own process, for the kill -9 fault tests (tests/faults/kill.test.ts). It reads its job
// (one write path) as the first line on stdin, runs it, and tells the parent where it is on stdout, one JSON line each:
//   {"gate": name}      it stops here until the parent answers "go" on stdin (or kills it right there);
//   {"at": name, ...}   it passed this point (and what it had committed, where that is known);
//   {"browser": url}    a sign-in page to fill in; the parent answers "done" once it has.
// The keychain is the real OS keychain, wrapped only to put a gate before and after every write to it.
import { createInterface } from 'node:readline';
import { createCore } from '../../src/main/core';
import { createOsKeychain, type Keychain } from '../../src/main/core/keychain';
import { connectDeviceToHub } from '../../src/main/core/session';
import { controlledClock } from '../support/controlled-clock';
import type { Result, SessionState } from '../../src/shared/contract';

export type WriterPath = 'ingest' | 'send' | 'pin' | 'enrol' | 'migrate' | 'ack' | 'document' | 'escalate';

export interface WriterJob {
  path: WriterPath;
  policyFile: string;
  appDataDir: string;
  keychainService: string;
  /** The profile to open; none for a first sign-in. */
  profileId?: string;
  pin?: string;
  newPin?: string;
  conversationId?: string;
  texts?: string[];
  /** The message to acknowledge, or whose document to open. */
  ackSeq?: number;
  /** 'escalate': who the urgent message escalates to at its 2-minute deadline. */
  escalateTo?: string;
}

const say = (line: Record<string, unknown>): void => {
  process.stdout.write(`${JSON.stringify(line)}\n`);
};
const replies: string[] = [];
const waiting: ((line: string) => void)[] = [];
createInterface({ input: process.stdin }).on('line', (line) => {
  const next = waiting.shift();
  if (next) next(line);
  else replies.push(line);
});
const reply = (): Promise<string> =>
  replies.length > 0 ? Promise.resolve(replies.shift()!) : new Promise((r) => waiting.push(r));

// The job is the first line on stdin: the parent starts a writer early (loading the core takes a while on a
// busy machine) and hands it the job when a kill point comes up.
const job = JSON.parse(await reply()) as WriterJob;

async function gate(name: string): Promise<void> {
  say({ gate: name });
  const answer = await reply();
  if (answer !== 'go') throw new Error(`unexpected answer at gate ${name}: ${answer}`);
}

/** The purpose part of an account name (`<profile>/<purpose>` or `<profile>/<device>/<purpose>`). */
const purpose = (account: string): string => account.split('/').at(-1) ?? account;

function gatedKeychain(inner: Keychain): Keychain {
  return {
    get: async (account) => {
      if (purpose(account) !== 'store-key') return inner.get(account);
      // The store is opened (and migrated) straight after its key is read: the last point before that write.
      await gate('keychain.get:store-key');
      const secret = await inner.get(account);
      await gate('keychain.get:store-key:done');
      return secret;
    },
    async set(account, secret) {
      await gate(`keychain.set:${purpose(account)}`);
      await inner.set(account, secret);
      await gate(`keychain.set:${purpose(account)}:done`);
    },
    async delete(account) {
      await gate(`keychain.delete:${purpose(account)}`);
      return inner.delete(account);
    },
    list: () => inner.list(),
  };
}

// The deadline clock (escalation): moved by the 'escalate' job, not by real minutes.
const clock = controlledClock();
const core = createCore({
  clock,
  appName: 'Clinical Messenger',
  appVersion: '0.1.0',
  platform: 'linux',
  policyFiles: { machine: job.policyFile, user: null },
  appDataDir: job.appDataDir,
  keychain: gatedKeychain(createOsKeychain(job.keychainService)),
  async openBrowser(url) {
    say({ browser: url });
    if ((await reply()) !== 'done') throw new Error('the sign-in page was not completed');
  },
  connectDevice: (o) => connectDeviceToHub({ ...o, backoff: { initialMs: 100, maxMs: 1_000 } }),
});

async function must<T>(name: Parameters<typeof core.dispatcher.dispatch>[0], args?: unknown): Promise<T> {
  const result = (await core.dispatcher.dispatch(name, args)) as Result<T>;
  if (!result.ok) {
    say({ at: 'refused', call: name, code: result.error.code });
    throw new Error(`${name}: ${result.error.code}`);
  }
  return result.value;
}

async function openProfile(pin: string, online = false): Promise<void> {
  await must<SessionState>('session.signIn', { profileId: job!.profileId });
  await must<SessionState>('session.unlockWithPin', { pin });
  say({ at: 'unlocked' });
  if (!online) return;
  // As a user would, she writes once the workstation is connected and her key for it is ready.
  while (
    core.connection.current().state !== 'connected' ||
    (core.messaging()?.userKeyStatus().status.state ?? 'waiting') === 'waiting'
  )
    await new Promise((r) => setTimeout(r, 25));
  say({ at: 'ready' });
}

async function newestSeq(conversationId: string): Promise<number> {
  const page = await must<{ seq: number | null }[]>('messages.page', { conversationId, limit: 1 });
  return page.at(-1)?.seq ?? 0;
}

switch (job.path) {
  case 'ingest': {
    await openProfile(job.pin!);
    // Reports each newest seq it has read back from its own store: those messages were committed.
    let reported = -1;
    for (;;) {
      const seq = await newestSeq(job.conversationId!);
      if (seq !== reported) say({ at: 'committed', seq });
      reported = seq;
      await new Promise((r) => setTimeout(r, 25));
    }
  }
  case 'send': {
    await openProfile(job.pin!, true);
    for (const [i, text] of job.texts!.entries()) {
      await gate(`send:${i}`);
      const { envelopeId } = await must<{ envelopeId: string }>('messages.send', {
        conversationId: job.conversationId!,
        text,
        urgent: false,
        ackRequired: false,
        patient: null,
      });
      say({ at: 'queued', i, envelopeId });
    }
    say({ at: 'all-queued' });
    break;
  }
  case 'pin': {
    await openProfile(job.pin!);
    await gate('setPin');
    await must<SessionState>('session.setPin', { pin: job.newPin! });
    say({ at: 'pin-set' });
    break;
  }
  case 'enrol': {
    const state = await must<SessionState>('session.signIn', {});
    say({ at: 'enrolled', status: state.status });
    break;
  }
  case 'migrate': {
    await openProfile(job.pin!);
    break;
  }
  case 'ack': {
    await openProfile(job.pin!, true);
    await gate('acknowledge');
    await must<null>('messages.acknowledge', { conversationId: job.conversationId!, seq: job.ackSeq! });
    say({ at: 'acknowledged' });
    break;
  }
  case 'escalate': {
    await openProfile(job.pin!, true);
    const { envelopeId } = await must<{ envelopeId: string }>('messages.send', {
      conversationId: job.conversationId!,
      text: job.texts![0]!,
      urgent: true,
      ackRequired: true,
      patient: null,
      ackDeadlineMinutes: 2,
      escalateTo: { kind: 'user', userId: job.escalateTo! },
    });
    say({ at: 'queued', envelopeId, deadlineAt: clock.now() + 2 * 60_000 });
    await gate('deadline');
    clock.advance(2 * 60_000);
    say({ at: 'deadline-passed' });
    break;
  }
  case 'document': {
    await openProfile(job.pin!, true);
    await gate('open');
    const opened = await must<{ verified: boolean }>('documents.open', {
      conversationId: job.conversationId!,
      seq: job.ackSeq!,
    });
    say({ at: 'opened', verified: opened.verified });
    break;
  }
}
say({ at: 'idle' });
// Stays up (syncing, sending) until the parent kills it.
setInterval(() => undefined, 1 << 30);
