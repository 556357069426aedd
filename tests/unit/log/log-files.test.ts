// WARD3B-PC01 is a shared workstation: its log files must survive restarts, stay bounded, and be readable
// by the signed-in OS user only.
import { mkdtempSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { createFileLogger, logBaseName, openAppLog } from '../../../src/main/core/log/log-files';

const appData = () => mkdtempSync(join(tmpdir(), 'cm-logs-'));
const today = new Date();
const localDate = [
  today.getFullYear(),
  String(today.getMonth() + 1).padStart(2, '0'),
  String(today.getDate()).padStart(2, '0'),
].join('-');

describe('log files in the user-data folder', () => {
  it('writes JSON lines to <appData>/logs, readable by this user only', async () => {
    const dir = appData();
    const { log, files } = await createFileLogger({ appDataDir: dir, level: 'debug' });
    log.debug({ conversationId: 'c-1' }, 'hub connection state');
    log.info({ code: 'hub_unreachable' }, 'hub connect failed; retrying');
    await files.close();
    expect(files.dir).toBe(join(dir, 'logs'));
    const written = files.list();
    expect(written.map((f) => basename(f))).toEqual([`${logBaseName}.${localDate}.1.log`]);
    const lines = readFileSync(written[0]!, 'utf8')
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l));
    expect(lines).toMatchObject([
      { level: 20, msg: 'hub connection state', conversationId: 'c-1' },
      { level: 30, msg: 'hub connect failed; retrying', code: 'hub_unreachable' },
    ]);
    expect(lines[0].time).toMatch(/^\d{4}-\d\d-\d\dT/);
    if (process.platform !== 'win32') {
      expect(statSync(written[0]!).mode & 0o777).toBe(0o600);
      expect(statSync(files.dir).mode & 0o777).toBe(0o700);
    }
  });

  it('rolls over by size and keeps a bounded number of files, the newest lines last', async () => {
    const { log, files } = await createFileLogger({
      appDataDir: appData(),
      level: 'info',
      maxFileSize: '2k',
      keep: 2,
    });
    for (let i = 1; i <= 200; i++) {
      log.info({ n: i }, 'outbox delivery');
      // pino-roll rolls over between turns of the event loop, as a running app's logging gives it.
      if (i % 10 === 0) await new Promise((resolve) => setImmediate(resolve));
    }
    // pino-roll rolls once a write has drained and deletes old files after; this waits for it to settle.
    await expect.poll(() => files.list().length, { timeout: 10_000 }).toBeLessThanOrEqual(3);
    await expect.poll(() => files.lastLines(1)[0] ?? '', { timeout: 10_000 }).toContain('"n":200');
    const names = files.list().map((f) => basename(f));
    expect(Number(/\.(\d+)\.log$/.exec(names.at(-1)!)![1])).toBeGreaterThan(3);
    const last = files.lastLines(5).map((l) => JSON.parse(l).n);
    expect(last).toEqual([196, 197, 198, 199, 200]);
    if (process.platform !== 'win32') {
      for (const f of files.list()) expect(statSync(f).mode & 0o777).toBe(0o600);
    }
    await files.close();
  });

  it('goes on writing to the same day file after a restart', async () => {
    const dir = appData();
    const first = await createFileLogger({ appDataDir: dir, level: 'info' });
    first.log.info('first start');
    await first.files.close();
    const second = await createFileLogger({ appDataDir: dir, level: 'info' });
    second.log.info('second start');
    expect(second.files.lastLines(10).map((l) => JSON.parse(l).msg)).toEqual(['first start', 'second start']);
    await second.files.close();
  });
});

it('a log folder that cannot be created leaves the app logging to the console, not failing to start', async () => {
  const notAFolder = join(appData(), 'profiles.json');
  writeFileSync(notAFolder, '[]');
  const { log, files } = await openAppLog({ appDataDir: notAFolder, level: 'silent' });
  expect(files).toBeNull();
  expect(() => log.info('still logging')).not.toThrow();
});
