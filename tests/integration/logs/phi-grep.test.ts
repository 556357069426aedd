// Hospital IT collects the log files of WARD3B-PC01 and WARD3B-PC02 after a busy shift. Dr Asha Rao and
// Dr Samuel Okafor have exchanged urgent messages about Margaret Whitfield (MRN-448812), sent her ECG report,
// searched for her, acknowledged, failed a sign-in and received a forged envelope, all at debug level. Nothing
// in the rotating log files, nor in the diagnostics bundle IT saves, names the patient, her MRN, what was
// written, what was searched for, or the document's file name.
import { randomUUID } from 'node:crypto';
import { mkdtempSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, join } from 'node:path';
import { afterAll, beforeAll, expect, it } from 'vitest';
import type { Core } from '../../../src/main/core';
import { sealEnvelope } from '../../../src/main/core/envelope';
import { enrolDevice, loadDevice } from '../../../src/main/core/keys';
import { createFileLogger, type LogFiles } from '../../../src/main/core/log/log-files';
import type { DocumentOpenResult, MessageView } from '../../../src/shared/contract';
import type { RunningGateway } from '../../stack/gateway';
import { appendEnvelopes, userId } from '../../stack/hub/hub-test-kit';
import { minimalPdf } from '../documents/fixtures';
import {
  ask,
  connected,
  eventually,
  must,
  signedIn,
  startWorkstation,
  withDocumentGateway,
  type Workstation,
  deviceOf,
} from '../../support/workstation';

const ASHA = 'dr.asha.rao';
const SAMUEL = 'dr.samuel.okafor';
const patient = { mrn: 'MRN-448812', name: 'Margaret Whitfield' };
const otherPatient = { mrn: 'MRN-551907', name: 'Tobias Lindqvist' };
const texts = {
  urgent: 'Margaret Whitfield in bed 7: potassium 6.9 mmol/L, please review her ECG now',
  reply: 'On my way, holding the furosemide until I have seen the trace',
  document: 'Her twelve-lead ECG from this morning, peaked T waves in V2 to V4',
  other: 'Tobias Lindqvist in side room 2 is asking about his discharge letter',
  forged: 'Forged order: give Margaret Whitfield 40 mmol KCl stat',
};
const fileName = 'whitfield-ecg-report-448812.pdf';
const searches = ['peaked T waves', 'Lindqvist'];
/** Everything that must not reach a log line: patient names (whole and by part), MRNs, texts, file names, queries. */
const phi = [
  patient.name,
  patient.mrn,
  '448812',
  'Whitfield',
  otherPatient.name,
  otherPatient.mrn,
  '551907',
  'Lindqvist',
  ...Object.values(texts),
  fileName,
  'whitfield-ecg',
  ...searches,
  // Staff are named on screen, never in a log: identifiers only.
  'Asha Rao',
  'Samuel Okafor',
];

let ws: Workstation;
let gateway: RunningGateway;
let asha: Core;
let samuel: Core;
let ashaLogs: LogFiles;
let samuelLogs: LogFiles;
let conversationId: string;
const files = mkdtempSync(join(tmpdir(), 'cm-phi-grep-'));
const bundlePath = join(files, 'diagnostics.json');

const page = (core: Core) => must<MessageView[]>(core, 'messages.page', { conversationId, limit: 50 });
async function workstationLog(): Promise<{ appDataDir: string; log: Core['log']; logFiles: LogFiles }> {
  const appDataDir = mkdtempSync(join(tmpdir(), 'cm-phi-grep-pc-'));
  // A small roll-over size, so the walk also writes across rotated files.
  const { log, files: logFiles } = await createFileLogger({
    appDataDir,
    level: 'debug',
    maxFileSize: '2k',
    keep: 50,
  });
  return { appDataDir, log, logFiles };
}

beforeAll(async () => {
  ws = await startWorkstation();
  const started = await withDocumentGateway(ws, { saveToDiskAllowed: true });
  gateway = started.gateway;
  const pc1 = await workstationLog();
  const pc2 = await workstationLog();
  ashaLogs = pc1.logFiles;
  samuelLogs = pc2.logFiles;
  const pdf = join(files, fileName);
  writeFileSync(pdf, minimalPdf('12-lead ECG, peaked T waves'));
  asha = await signedIn(ws, ASHA, {
    ...pc1,
    policyFile: started.policyFile,
    deviceName: 'WARD3B-PC01',
    pickFile: async () => pdf,
    pickSavePath: async () => bundlePath,
  });
  samuel = await signedIn(ws, SAMUEL, {
    ...pc2,
    policyFile: started.policyFile,
    deviceName: 'WARD3B-PC02',
    pickSavePath: async (name) => join(files, `saved-${name}`),
  });
  ({ conversationId } = await must<{ conversationId: string }>(asha, 'conversations.create', {
    kind: 'direct',
    memberIds: [userId(ws.stack, SAMUEL)],
  }));
}, 180_000);
afterAll(async () => {
  await ws?.close();
  await gateway?.close();
  await ashaLogs?.close();
  await samuelLogs?.close();
});

it('a shift of clinical messaging at debug level leaves no patient data in the log files or the diagnostics bundle', async () => {
  // Urgent messages with patient tags, a reply, and an acknowledgement.
  await must(asha, 'messages.send', {
    conversationId,
    text: texts.urgent,
    urgent: true,
    ackRequired: true,
    patient,
  });
  await eventually('Samuel has the urgent message', async () =>
    (await page(samuel)).some((m) => m.text === texts.urgent && m.seq !== null),
  );
  const urgent = (await page(samuel)).find((m) => m.text === texts.urgent)!;
  await must(samuel, 'messages.acknowledge', { conversationId, seq: urgent.seq });
  await must(samuel, 'messages.send', {
    conversationId,
    text: texts.reply,
    urgent: false,
    ackRequired: false,
    patient,
  });
  await must(samuel, 'messages.send', {
    conversationId,
    text: texts.other,
    urgent: false,
    ackRequired: false,
    patient: otherPatient,
  });

  // A document with the patient's name in its file name, opened and saved by the receiver.
  await must(asha, 'documents.attach', {
    operationId: randomUUID(),
    conversationId,
    text: texts.document,
    urgent: false,
    ackRequired: false,
    patient,
  });
  await eventually('Samuel has the document', async () =>
    (await page(samuel)).some((m) => m.kind === 'document' && m.seq !== null),
  );
  const document = (await page(samuel)).find((m) => m.kind === 'document')!;
  const opened = await must<DocumentOpenResult>(samuel, 'documents.open', {
    conversationId,
    seq: document.seq,
  });
  expect(opened).toMatchObject({ verified: true, fileName });
  if (opened.verified) {
    await must(samuel, 'documents.save', { url: opened.url, fileName });
    await must(samuel, 'documents.close', { url: opened.url });
  }

  // Searches for the patient's findings and for another patient.
  for (const query of searches) await must(samuel, 'messages.search', { query });
  await must(samuel, 'directory.search', { query: 'Lindqvist' });
  await eventually('Asha has the acknowledgement and both replies', async () => {
    const mine = await page(asha);
    return (
      mine.some((m) => m.text === texts.other) &&
      mine.some((m) => m.text === texts.urgent && m.acknowledgements.length > 0)
    );
  });

  // Dr Okafor tries his own sign-in at Dr Rao's locked screen: refused, and her PIN opens it again.
  await must(asha, 'session.setPin', { pin: '4826' });
  await must(asha, 'session.lock');
  ws.login.next(ws.credentials(SAMUEL));
  expect(await ask(asha, 'session.unlockWithSignIn')).toMatchObject({
    ok: false,
    error: { code: 'sign_in_failed' },
  });
  await must(asha, 'session.unlockWithPin', { pin: '4826' });

  // Whoever holds the hub's files injects an envelope signed by a key that is not Samuel's.
  const ashaDevice = await deviceOf(ws, asha);
  const samuelDevice = await deviceOf(ws, samuel);
  await enrolDevice(ws.keychain, { profileId: 'phi-grep-attacker', userId: samuelDevice.userId });
  const attacker = await loadDevice(ws.keychain, 'phi-grep-attacker');
  const records = samuel.messaging()!.messages.verificationRecords(conversationId);
  const forged = await sealEnvelope({
    sender: { ...attacker, deviceId: samuelDevice.deviceId },
    conversationId,
    prev: [records.at(-1)!.hash],
    payload: { v: 1, kind: 'text', text: texts.forged, urgent: true, ackRequired: false, patient },
    recipients: [ashaDevice, samuelDevice].map((d) => ({
      userId: d.userId,
      deviceId: d.deviceId,
      encryptionPublicKey: d.encryptionPublicKey,
    })),
  });
  await appendEnvelopes(ws.stack, conversationId, [
    {
      bytes: forged.bytes,
      envelopeId: forged.header.envelopeId,
      userId: samuelDevice.userId,
      deviceId: samuelDevice.deviceId,
    },
  ]);
  await connected(asha);
  await expect
    .poll(async () => (await page(asha)).filter((m) => m.verdict === 'quarantined').length, {
      timeout: 60_000,
    })
    .toBe(1);

  // IT saves the diagnostics bundle from Help → About.
  expect(await must(asha, 'app.diagnostics', { save: true })).toMatchObject({ saved: true });

  // What IT would collect: every log file of both workstations, and the bundle.
  const collected = [...ashaLogs.list(), ...samuelLogs.list(), bundlePath];
  let lines = 0;
  let bytes = 0;
  const hits: string[] = [];
  for (const file of collected) {
    const content = readFileSync(file, 'utf8');
    bytes += statSync(file).size;
    for (const [n, line] of content.split('\n').entries()) {
      if (line.length === 0) continue;
      lines++;
      const lower = line.toLowerCase();
      for (const needle of phi) {
        if (lower.includes(needle.toLowerCase())) hits.push(`${basename(file)}:${n + 1}: "${needle}"`);
      }
    }
  }
  console.log(
    `PHI grep: ${phi.length} seeded strings over ${collected.length} files, ${lines} lines, ${bytes} bytes: ${hits.length} hits`,
  );
  expect(hits).toEqual([]);

  // It did not pass by logging nothing: the walk's own events are there, at debug level, in rotated files.
  const logFiles = [...ashaLogs.list(), ...samuelLogs.list()];
  const logged = logFiles.flatMap((file) =>
    readFileSync(file, 'utf8')
      .split('\n')
      .filter((l) => l.length > 0)
      .map((l) => JSON.parse(l) as { level: number; msg: string; call?: string; code?: string }),
  );
  console.log(`of which log lines: ${logged.length} in ${logFiles.length} files`);
  expect(logFiles.length).toBeGreaterThan(2);
  expect(logged.length).toBeGreaterThan(50);
  const said = (msg: string, fields: Record<string, string> = {}) =>
    logged.some((l) => l.msg === msg && Object.entries(fields).every(([k, v]) => l[k as 'call'] === v));
  for (const msg of [
    'hub connection state',
    'document uploaded',
    'document verified',
    'envelopes quarantined',
  ])
    expect(said(msg), msg).toBe(true);
  for (const call of ['messages.send', 'messages.search', 'documents.attach', 'messages.acknowledge'])
    expect(said('call', { call }), call).toBe(true);
  expect(said('call refused', { call: 'session.unlockWithSignIn', code: 'sign_in_failed' })).toBe(true);
  const bundle = JSON.parse(readFileSync(bundlePath, 'utf8')) as {
    logs: { lastLines: string[] };
    profiles: { count: number };
    connection: { history: { state: string }[] };
  };
  expect(bundle.profiles.count).toBe(1);
  // Asha's log is shorter than the bundle's 200 lines: it holds all of it, bar the line for the call itself.
  const ashaLines = ashaLogs.list().flatMap((f) => readFileSync(f, 'utf8').split('\n').filter(Boolean));
  expect(bundle.logs.lastLines).toEqual(ashaLines.slice(0, bundle.logs.lastLines.length));
  expect(bundle.logs.lastLines.length).toBe(ashaLines.length - 1);
  expect(bundle.connection.history.map((c) => c.state)).toContain('reconnecting');
}, 240_000);
