/** Run by open-pool.test.ts with `npx tsx`: the pool must start its TypeScript workers outside vitest too. */
import { randomUUID } from 'node:crypto';
import { createOpenPool, sealEnvelope } from '../../../src/main/core/envelope';
import { directory, hubFor, testDevice, textPayload } from './helpers';

const alice = await testDevice('alice');
const bob = await testDevice('bob');
const pool = createOpenPool({ workers: 2, device: bob.workerSecrets() });
try {
  const items = [];
  for (let n = 0; n < 4; n++) {
    const sealed = await sealEnvelope({
      sender: alice,
      conversationId: 'c',
      envelopeId: randomUUID(),
      clientTime: new Date().toISOString(),
      prev: [],
      payload: textPayload(),
      recipients: [
        { userId: bob.userId, deviceId: bob.deviceId, encryptionPublicKey: bob.encryptionPublicKey },
      ],
    });
    items.push({ bytes: sealed.bytes, hub: hubFor(sealed, n + 1) });
  }
  items[2]!.bytes[items[2]!.bytes.byteLength - 1]! ^= 1;
  const results = await pool.open(items, directory([alice, bob]));
  const rejected = results.flatMap((r) => (r.ok ? [] : [r.error.reason]));
  console.log(
    `pool-under-tsx: ${results.filter((r) => r.ok).length} opened, ${rejected.length} rejected (${rejected.join(', ')})`,
  );
} finally {
  await pool.close();
}
