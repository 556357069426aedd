// Child of pin-memory.test.ts (a process of its own, so no other test's memory counts): sets a PIN on a real
// store, unlocks with a wrong and the right PIN, and prints the process's external memory before and after.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { randomBytes, sodium } from '../../../src/main/core/crypto';
import { setPin, unlockWithPin } from '../../../src/main/core/lock';
import { openProfileStore } from '../../../src/main/core/store';

const dir = mkdtempSync(join(tmpdir(), 'cm-pin-memory-'));
try {
  await sodium(); // the main thread's libsodium, as the app has it loaded for everything else
  const store = openProfileStore({ file: join(dir, 'profile.db'), key: randomBytes(32) });
  globalThis.gc!();
  const before = process.memoryUsage().external;
  await setPin(store, '739150');
  const wrong = await unlockWithPin(store, '111111').then(
    () => 'opened',
    (error: { code?: string }) => error.code,
  );
  await unlockWithPin(store, '739150');
  globalThis.gc!();
  const after = process.memoryUsage().external;
  store.close();
  console.log(JSON.stringify({ before, after, wrong }));
} finally {
  rmSync(dir, { recursive: true, force: true });
}
