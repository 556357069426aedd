// Issue 16, fail closed, on screen: the morning after a bad push, WARD3B-PC01's machine policy names the hub
// over plain http. Dr Samuel Okafor, who has used this computer before, sees no sign-in button: the screen
// names the policy file, the field and what IT must do, and the user's own settings (a rogue hub) are not
// shown as the hub. Signing in through the contract anyway answers policy_invalid.
import { chmodSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { coreForTest } from '../support/core';
import { checkScreen, launchChromium, openApp, serveRenderer } from './harness';

const dir = mkdtempSync(join(tmpdir(), 'cm-chromium-policy-'));
const write = (name: string, content: unknown): string => {
  const path = join(dir, name);
  writeFileSync(path, JSON.stringify(content));
  chmodSync(path, 0o644);
  return path;
};

let browser: Browser;
let server: Awaited<ReturnType<typeof serveRenderer>>;

beforeAll(async () => {
  server = await serveRenderer();
  browser = await launchChromium();
});
afterAll(async () => {
  await browser?.close();
  await server?.close();
});

describe('a refused machine policy, on the sign-in screen', () => {
  it('names the file, the field and the fix, and offers no sign-in', async () => {
    const machine = write('policy.json', { hubUrl: 'http://hub.hospital.example', idleLockMaxMinutes: 10 });
    const user = write('settings.json', { hubUrl: 'https://rogue.example/hub' });
    const core = coreForTest({ policyFiles: { machine, user } });
    const { page, cspViolations } = await openApp(browser, core, server.url);
    const panel = page.getByTestId('policy-refused');
    await panel.waitFor();
    const text = await panel.innerText();
    expect(text).toContain('Sign-in is stopped on this computer');
    expect(text).toContain(machine);
    expect(text).toContain('hubUrl must be an https:// URL');
    expect(text).toContain('IT must correct "hubUrl" and push the policy again');
    expect(await page.getByRole('button', { name: /sign in/i }).count()).toBe(0);
    expect(await page.getByTestId('app-info').innerText()).not.toContain('rogue.example');

    const answer = await page.evaluate(() =>
      (window.clinical.call as (n: string, a: unknown) => Promise<unknown>)('session.signIn', {}),
    );
    expect(answer).toMatchObject({ ok: false, error: { code: 'policy_invalid' } });

    await checkScreen(page, 'policy-refused');
    expect(cspViolations).toEqual([]);
    await page.context().close();
    await core.close();
  });
});
