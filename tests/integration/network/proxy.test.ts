// Issue 16: the hospital routes everything through its HTTP proxy. WARD3B-PC01's machine policy names the
// proxy (proxyUrl), and Dr Asha Rao's sign-in, her messages to Dr Samuel Okafor over the hub (negotiate and
// WebSocket), a lab PDF through the document gateway and the update check all reach their servers through
// it: the proxy's tunnel log names each host:port. When the proxy refuses or goes down, the ward sees
// "proxy_unreachable" and what is stored on the workstation does not change.
import { randomUUID } from 'node:crypto';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Core } from '../../../src/main/core';
import { fromBase64 } from '../../../src/main/core/crypto';
import { createLogger } from '../../../src/main/core/log/logger';
import { generateAdminKeyPair } from '../../../src/main/core/revocation';
import { createUpdater, type InstallerAdapter } from '../../../src/main/core/updates';
import type { DocumentOpenResult, MessageView, SessionState } from '../../../src/shared/contract';
import type { RunningGateway } from '../../stack/gateway';
import { userId } from '../../stack/hub/hub-test-kit';
import { startConnectProxy, type RunningProxy } from '../../stack/proxy';
import { publishRelease, startUpdateServer, type RunningUpdateServer } from '../../stack/updates';
import {
  ask,
  converse,
  eventually,
  must,
  signedIn,
  startWorkstation,
  withDocumentGateway,
  type Workstation,
} from '../../support/workstation';
import { minimalPdf } from '../documents/fixtures';

let ws: Workstation;
let proxy: RunningProxy;
let gateway: RunningGateway;
let updateServer: RunningUpdateServer;
let policyFile: string;
let asha: Core;
let samuel: Core;
let conversationId: string;
let nextFile: string | null = null;
const files = mkdtempSync(join(tmpdir(), 'cm-proxy-files-'));
const hostPort = (url: string): string => new URL(url).host;
const page = (core: Core) => must<MessageView[]>(core, 'messages.page', { conversationId, limit: 50 });

/** Attaching needs the OS file dialog; this stands in for Dr Rao picking the file. */
async function attachPdf(name: string, text: string): Promise<MessageView> {
  const path = join(files, name);
  writeFileSync(path, minimalPdf(text));
  nextFile = path;
  const before = (await page(samuel)).length;
  await must(asha, 'documents.attach', {
    operationId: randomUUID(),
    conversationId,
    text,
    urgent: false,
    ackRequired: false,
    patient: null,
  });
  await eventually('Dr Okafor has the document', async () => (await page(samuel)).length > before);
  return (await page(samuel))[0]!;
}

beforeAll(async () => {
  ws = await startWorkstation();
  proxy = await startConnectProxy();
  updateServer = await startUpdateServer({ tls: ws.stack.tls });
  ({ gateway, policyFile } = await withDocumentGateway(ws, { proxyUrl: proxy.url }));
  asha = await signedIn(ws, 'dr.asha.rao', { policyFile, pickFile: async () => nextFile });
  samuel = await signedIn(ws, 'dr.samuel.okafor', { policyFile });
  ({ conversationId } = await must<{ conversationId: string }>(asha, 'conversations.create', {
    kind: 'direct',
    memberIds: [userId(ws.stack, 'dr.samuel.okafor')],
  }));
}, 120_000);
afterAll(async () => {
  await ws?.close();
  await gateway?.close();
  await updateServer?.close();
  await proxy?.close();
});

describe('a machine policy with proxyUrl', () => {
  it('sends the sign-in and the hub (negotiate and WebSocket) through the proxy', async () => {
    await converse(conversationId, [[asha, 'Bed 12 potassium is back, can you review?']], [asha, samuel]);
    expect((await page(samuel))[0]).toMatchObject({ text: 'Bed 12 potassium is back, can you review?' });
    const tunnels = proxy.tunnels();
    expect(tunnels).toContain(hostPort(ws.stack.idp.authority));
    // Per clinician one negotiate (fetch) and one WebSocket (ws), each its own tunnel.
    expect(tunnels.filter((t) => t === hostPort(ws.stack.hub.url)).length).toBeGreaterThanOrEqual(3);
  });

  it('fetches documents from the gateway through the proxy, verified', async () => {
    const message = await attachPdf('potassium.pdf', 'Potassium 6.9 mmol/L');
    const opened = await must<DocumentOpenResult>(samuel, 'documents.open', {
      conversationId,
      seq: message.seq,
    });
    expect(opened).toMatchObject({ verified: true, fileName: 'potassium.pdf' });
    expect(proxy.tunnels()).toContain(hostPort(gateway.url));
  });

  it('checks for updates through the proxy', async () => {
    const pair = await generateAdminKeyPair();
    await publishRelease(
      updateServer,
      { channel: 'stable', version: '1.5.0', installer: new Uint8Array(1024) },
      fromBase64(pair.secretKey, 64)!,
    );
    const notInstalled: InstallerAdapter = {
      install: () => Promise.reject(new Error('notify mode never installs')),
    };
    const updater = createUpdater({
      settings: {
        updates: 'notify',
        updateUrl: updateServer.url,
        updateChannel: 'stable',
        updateSigningKeys: [pair.publicKey],
      },
      appVersion: '1.4.2',
      downloadDir: mkdtempSync(join(tmpdir(), 'cm-proxy-updates-')),
      installer: notInstalled,
      audit: () => null,
      log: createLogger({ level: 'silent' }),
    });
    expect(await updater.check()).toMatchObject({ status: 'available' });
    expect(proxy.tunnels()).toContain(hostPort(updateServer.url));
  });

  it('a proxy that refuses the gateway: proxy_unreachable, the message and its document stay', async () => {
    const message = await attachPdf('xray-report.pdf', 'X-ray report, left wrist');
    const before = await page(samuel);
    proxy.refuse(hostPort(gateway.url));
    try {
      const refused = await ask(samuel, 'documents.open', { conversationId, seq: message.seq });
      expect(refused).toMatchObject({ ok: false, error: { code: 'proxy_unreachable' } });
      if (!refused.ok) expect(refused.error.message).toMatch(/proxy 127\.0\.0\.1:\d+ refused/);
      expect(await page(samuel)).toEqual(before);
    } finally {
      proxy.refuse(null);
    }
    const opened = await must<DocumentOpenResult>(samuel, 'documents.open', {
      conversationId,
      seq: message.seq,
    });
    expect(opened).toMatchObject({ verified: true, fileName: 'xray-report.pdf' });
  });

  it('the proxy goes down: the hub drops, sign-in says proxy_unreachable, nothing stored changes', async () => {
    const before = await page(asha);
    await proxy.close();
    // Their live WebSockets ran through the proxy's tunnels, so both lose the hub with it.
    await expect.poll(() => asha.connection.current().state, { timeout: 30_000 }).not.toBe('connected');
    await expect.poll(() => samuel.connection.current().state, { timeout: 30_000 }).not.toBe('connected');
    // The banner says why: the reconnects fail at the proxy.
    await expect.poll(() => asha.connection.current().problem, { timeout: 30_000 }).toBe('proxy');

    const pc02 = ws.newCore({ policyFile });
    const signIn = await ask<SessionState>(pc02, 'session.signIn', {});
    expect(signIn).toMatchObject({ ok: false, error: { code: 'proxy_unreachable' } });
    if (!signIn.ok) expect(signIn.error.message).toMatch(/proxy 127\.0\.0\.1:\d+ cannot be reached/);
    expect(await must<SessionState>(pc02, 'session.current')).toMatchObject({
      status: 'signed-out',
      profiles: [],
    });
    expect(await page(asha)).toEqual(before);
  });
});
