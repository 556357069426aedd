// A ward workstation in its own process, started without NODE_EXTRA_CA_CERTS: the hub, IdP and document
// gateway serve certificates from a CA that only the OS certificate store holds (the parent installed it).
// Prints one JSON line: whether Node trusted the CA before the core started, and what the doctors saw after.
import { randomUUID } from 'node:crypto';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { request } from 'node:https';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { DocumentOpenResult, MessageView } from '../../../src/shared/contract';
import { userId } from '../../stack/hub/hub-test-kit';
import { eventually, must, signedIn, startWorkstation, withDocumentGateway } from '../../support/workstation';
import { minimalPdf } from '../documents/fixtures';

/** The TLS error a plain Node client gets from the hub (null if it connects). */
function plainNodeReachesHub(origin: string): Promise<string | null> {
  return new Promise((resolve) => {
    const req = request(`${origin}/health`, (res) => {
      res.resume();
      resolve(null);
    });
    req.on('error', (error: NodeJS.ErrnoException) => resolve(error.code ?? error.message));
    req.end();
  });
}

const ws = await startWorkstation();
const { gateway, policyFile } = await withDocumentGateway(ws);
try {
  const beforeCore = await plainNodeReachesHub(ws.stack.hub.origin);
  const pdf = minimalPdf('Potassium 6.9 mmol/L');
  const pdfPath = join(mkdtempSync(join(tmpdir(), 'cm-private-ca-')), 'potassium.pdf');
  writeFileSync(pdfPath, pdf);
  const asha = await signedIn(ws, 'dr.asha.rao', { policyFile, pickFile: async () => pdfPath });
  const samuel = await signedIn(ws, 'dr.samuel.okafor', { policyFile });
  const { conversationId } = await must<{ conversationId: string }>(asha, 'conversations.create', {
    kind: 'direct',
    memberIds: [userId(ws.stack, 'dr.samuel.okafor')],
  });
  await must(asha, 'documents.attach', {
    operationId: randomUUID(),
    conversationId,
    text: 'Bed 12 potassium, please review',
    urgent: false,
    ackRequired: false,
    patient: null,
  });
  const page = () => must<MessageView[]>(samuel, 'messages.page', { conversationId, limit: 10 });
  await eventually('Dr Okafor has the lab result', async () => (await page()).length === 1);
  const [message] = await page();
  const opened = await must<DocumentOpenResult>(samuel, 'documents.open', {
    conversationId,
    seq: message!.seq,
  });
  process.stdout.write(
    JSON.stringify({
      beforeCore,
      received: { text: message!.text, verdict: message!.verdict },
      opened: { verified: opened.verified, fileName: opened.verified ? opened.fileName : null },
    }) + '\n',
  );
} finally {
  await ws.close();
  await gateway.close();
}
