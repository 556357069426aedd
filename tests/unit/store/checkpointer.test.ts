// The journal is checkpointed on a worker thread, so no commit on the main thread carries a checkpoint's
// writes and syncs (a flood of hostile envelopes showed half-second blocks there on a busy disk).
import { statSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { randomBytes } from '../../../src/main/core/crypto';
import { createLogger } from '../../../src/main/core/log/logger';
import { openProfileStore, type ProfileStore } from '../../../src/main/core/store';
import { startBackgroundCheckpoints } from '../../../src/main/core/store/checkpointer';
import { tempDir } from './helpers';

function capturedLog(): { log: ReturnType<typeof createLogger>; lines: string[] } {
  const lines: string[] = [];
  return {
    log: createLogger({ level: 'info', destination: { write: (l: string) => void lines.push(l) } }),
    lines,
  };
}

/** About 6 MB of new pages in the journal: past SQLite's own 1,000-page checkpoint threshold. */
function writeSixMegabytes(store: ProfileStore): void {
  const insert = store.db.prepare('INSERT INTO settings (key, value) VALUES (?, ?)');
  for (let i = 0; i < 60; i++)
    store.transaction(() => insert.run(`ward-note-${i}`, JSON.stringify(randomBytes(50_000).toString())));
}

const autocheckpoint = (store: ProfileStore) => store.db.pragma('wal_autocheckpoint', { simple: true });

describe('background checkpoints', () => {
  it('the worker copies committed pages into the database file; the main connection never checkpoints', async () => {
    const file = join(tempDir(), 'profile.db');
    const key = randomBytes(32);
    const { log, lines } = capturedLog();
    const store = openProfileStore({ file, key, backgroundCheckpoints: { log } });
    await expect.poll(() => autocheckpoint(store), { timeout: 15_000 }).toBe(0);
    const before = statSync(file).size;
    writeSixMegabytes(store);
    // Nothing on the main thread moved the pages: the file grows only once the worker's checkpoint ran.
    await expect.poll(() => statSync(file).size, { timeout: 10_000 }).toBeGreaterThan(before + 5_000_000);
    store.close();
    expect(lines).toEqual([]);

    const again = openProfileStore({ file, key, existing: true });
    expect(again.db.prepare("SELECT count(*) FROM settings WHERE key LIKE 'ward-note-%'").pluck().get()).toBe(
      60,
    );
    again.close();
  });

  it('without its worker, the main connection checkpoints as SQLite does by default, and IT can see why', async () => {
    const file = join(tempDir(), 'profile.db');
    const key = randomBytes(32);
    const store = openProfileStore({ file, key });
    const { log, lines } = capturedLog();
    const missing = { url: new URL('./no-such-checkpoint-worker.js', import.meta.url), execArgv: [] };
    store.db.pragma('wal_autocheckpoint = 0'); // as if a worker had been ready before it stopped
    const checkpoints = startBackgroundCheckpoints(store.db, file, key, { log, entry: missing });
    await expect.poll(() => autocheckpoint(store), { timeout: 15_000 }).toBe(1000);
    expect(lines.join('')).toContain('background checkpoints stopped');
    const before = statSync(file).size;
    writeSixMegabytes(store);
    expect(statSync(file).size).toBeGreaterThan(before + 3_000_000);
    checkpoints.close();
    store.close();
  });

  it('a wrong key in the worker is reported and the main connection takes the checkpoints back', async () => {
    const file = join(tempDir(), 'profile.db');
    const key = randomBytes(32);
    const store = openProfileStore({ file, key });
    const { log, lines } = capturedLog();
    const checkpoints = startBackgroundCheckpoints(store.db, file, randomBytes(32), { log });
    await expect.poll(() => lines.join(''), { timeout: 15_000 }).toContain('background checkpoints stopped');
    expect(autocheckpoint(store)).toBe(1000);
    checkpoints.close();
    store.close();
  });
});
