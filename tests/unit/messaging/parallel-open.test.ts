// The engine's use of the open pool (messaging/parallel-open.ts): small batches never start a worker, and a
// pool that cannot start leaves every batch to the main thread with one log line, not one per batch.
import { randomUUID } from 'node:crypto';
import { Writable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { sealEnvelope, type OpenPoolItem } from '../../../src/main/core/envelope';
import { createLogger } from '../../../src/main/core/log/logger';
import { createParallelOpener } from '../../../src/main/core/messaging/parallel-open';
import { directory, hubFor, testDevice, textPayload } from '../envelope/helpers';

function capturedLog() {
  const lines: string[] = [];
  const destination = new Writable({
    write(chunk: Buffer, _encoding, done) {
      lines.push(chunk.toString());
      done();
    },
  });
  return { log: createLogger({ destination }), lines };
}

describe('parallel open in the messaging engine', () => {
  it('opens small batches on the main thread and falls back there, logging once, when the workers cannot start', async () => {
    const alice = await testDevice('alice');
    const bob = await testDevice('bob');
    const items: OpenPoolItem[] = [];
    for (let n = 0; n < 64; n++) {
      const sealed = await sealEnvelope({
        sender: alice,
        conversationId: 'conv-1',
        envelopeId: randomUUID(),
        clientTime: new Date().toISOString(),
        prev: [],
        payload: textPayload(`message ${n}`),
        recipients: [bob],
      });
      items.push({ bytes: sealed.bytes, hub: hubFor(sealed, n + 1) });
    }
    const { log, lines } = capturedLog();
    const handed: Uint8Array[] = [];
    const opener = createParallelOpener({
      workerSecrets: async () => {
        const secrets = bob.workerSecrets();
        handed.push(secrets.encryptionSecretKey);
        return secrets;
      },
      // Fault injection: a worker script that does not exist, so every worker dies at start.
      workerEntry: {
        url: new URL('./no-such-open-worker-fault-injection.js', import.meta.url),
        execArgv: [],
      },
      log,
    });
    const senderKey = directory([alice, bob]);
    const noKey = () => null;
    try {
      expect(await opener.open(items.slice(0, 63), senderKey, noKey)).toBeNull();
      expect(handed).toHaveLength(0); // a small batch never reads the device's secret
      expect(await opener.open(items, senderKey, noKey)).toBeNull();
      expect(await opener.open(items, senderKey, noKey)).toBeNull();
      expect(opener.pooled).toBe(0);
      expect(handed).toHaveLength(1);
      expect(handed[0]!.every((byte) => byte === 0)).toBe(true); // the copy handed over is wiped
      const warnings = lines.filter((l) => l.includes('parallel message verification unavailable'));
      expect(warnings).toHaveLength(1);
    } finally {
      await opener.close();
    }
  });
});
