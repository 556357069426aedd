// A newcomer on a machine without Electron and without a display runs `npm run dev`. It starts the reference
// servers and the preview (the same renderer, the core in Node) and prints the address with its one-time token
// and the seeded staff. Dr Asha Rao opens it in Chromium, signs in on the IdP's page and reaches her workspace
// under the preview banner. The same link a second time, or a made-up token, opens nothing; a request from
// another origin is refused even with her session cookie. Stopping the command leaves no process behind.
import { spawn, type ChildProcess } from 'node:child_process';
import { request } from 'node:http';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createOsKeychain } from '../../src/main/core/keychain';
import { bridgeChannels } from '../../src/shared/contract';
import { SEEDED_USERS } from '../stack/idp/users';
import { launchChromium } from '../stack/idp/test-helpers';
import { refusedLink } from '../stack/preview/bridge-server';
import { previewKeychainService } from '../stack/preview/places';
import { ensureTestTls } from '../stack/tls';
import { systemBrowser } from '../support/system-browser';
import { checkScreen } from './harness';

const stackDir = mkdtempSync(join(tmpdir(), 'cm-dev-preview-'));
const withoutDisplay = Object.fromEntries(
  Object.entries(process.env).filter(([name]) => name !== 'DISPLAY' && name !== 'WAYLAND_DISPLAY'),
);
const viewport = { width: 1280, height: 800 };

let dev: ChildProcess;
let printed = '';
let browser: Browser;
let previewUrl: string;
let asha: { context: BrowserContext; page: Page };

/** Whether any process of the command's process group is still running. */
function groupAlive(): boolean {
  try {
    process.kill(-dev.pid!, 0);
    return true;
  } catch {
    return false;
  }
}

const sessionCurrent = encodeURIComponent(bridgeChannels.calls['session.current']!);

/** A bridge call as any local program could send it: its own Origin header, and a cookie if it has one. */
function bridgeCall(
  channel: string,
  headers: Record<string, string>,
  body = '{}',
): Promise<{ status: number; body: { ok: boolean; error?: { code: string } } }> {
  const url = new URL(`/bridge/call/${channel}`, previewUrl);
  return new Promise((resolve, reject) => {
    const req = request(
      url,
      { method: 'POST', headers: { 'content-type': 'application/json', ...headers } },
      (res) => {
        let text = '';
        res.on('data', (chunk: Buffer) => (text += chunk.toString()));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, body: JSON.parse(text) }));
      },
    );
    req.on('error', reject);
    req.end(body);
  });
}

async function openPreview(url: string): Promise<{ context: BrowserContext; page: Page }> {
  const context = await browser.newContext({ viewport });
  const page = await context.newPage();
  await page.goto(url);
  return { context, page };
}

beforeAll(async () => {
  dev = spawn('npm', ['run', 'dev'], {
    // Its own process group, so that stopping it reaches everything it started.
    detached: true,
    stdio: ['ignore', 'pipe', 'pipe'],
    env: {
      ...withoutDisplay,
      CM_STACK_DIR: stackDir,
      CM_STACK_EPHEMERAL_PORTS: '1',
      // Where this machine has Electron, the test hides it: an override folder without the binary.
      ELECTRON_OVERRIDE_DIST_PATH: mkdtempSync(join(tmpdir(), 'cm-no-electron-')),
    },
  });
  dev.stdout!.on('data', (chunk: Buffer) => (printed += chunk.toString()));
  dev.stderr!.on('data', (chunk: Buffer) => (printed += chunk.toString()));
});

afterAll(async () => {
  await browser?.close();
  if (groupAlive()) process.kill(-dev.pid!, 'SIGKILL');
  const keychain = createOsKeychain(previewKeychainService(stackDir));
  for (const account of await keychain.list()) await keychain.delete(account);
});

describe('npm run dev without Electron: the preview', () => {
  it('prints the address with a one-time token, the preview label and the seeded staff', async () => {
    await expect
      .poll(() => printed, { timeout: 90_000, interval: 200 })
      .toMatch(/^ {2}http:\/\/127\.0\.0\.1:\d+\/index\.html#token=\S+$/m);
    previewUrl = /^ {2}(http:\/\/127\.0\.0\.1:\S+)$/m.exec(printed)![1]!;
    expect(printed).toContain('starting the Chromium preview');
    expect(printed).toContain('Not for patient data');
    expect(printed).toContain('no display');
    for (const user of SEEDED_USERS)
      expect(printed).toContain(`${user.username.padEnd(20)} ${user.password}`);
  });

  it('Dr Asha Rao opens it, signs in on the IdP page, reaches her workspace under the preview banner and finds Dr Okafor', async () => {
    browser = await launchChromium(ensureTestTls(join(stackDir, 'tls')));
    const login = systemBrowser(browser);
    asha = await openPreview(previewUrl);
    const { page } = asha;
    // The token leaves the address bar at once.
    expect(page.url()).not.toContain('token');
    await expect
      .poll(() => page.getByRole('complementary', { name: 'Preview notice' }).textContent())
      .toBe('Preview: running in Chromium without Electron; not for patient data');

    const before = printed.length;
    await page.getByRole('button', { name: 'Sign in', exact: true }).click();
    await expect
      .poll(() => printed.slice(before), { timeout: 30_000 })
      .toMatch(/Sign-in page[^\n]*\n {2}https:\/\/127\.0\.0\.1:\S+/);
    const signInPage = /Sign-in page[^\n]*\n {2}(https:\/\/\S+)/.exec(printed.slice(before))![1]!;
    const user = SEEDED_USERS.find((u) => u.username === 'dr.asha.rao')!;
    login.next({ username: user.username, password: user.password });
    await login.openBrowser(signInPage);

    await page.locator('#workspace-heading').waitFor({ timeout: 60_000 });
    await expect
      .poll(() => page.getByRole('complementary', { name: 'Preview notice' }).isVisible())
      .toBe(true);
    // The hub's news reaches the page over the bridge's event stream, and her search reaches the hub.
    await expect
      .poll(() => page.getByTestId('connection-state').textContent(), { timeout: 30_000 })
      .toBe('Connected');
    const directory = page.getByRole('region', { name: 'New conversation' });
    await directory.getByLabel('Find staff by name, role or department').fill('Okafor');
    await directory.getByRole('button', { name: 'Search', exact: true }).click();
    await expect
      .poll(() => directory.getByRole('list', { name: 'Staff found' }).innerText(), { timeout: 30_000 })
      .toContain('Dr Samuel Okafor');
    await checkScreen(page, 'dev-preview-workspace');
  });

  it('the same link a second time, or a made-up token, opens nothing, and the page says why', async () => {
    const madeUp = previewUrl.replace(/#token=.*/, `#token=${'A'.repeat(43)}`);
    for (const url of [previewUrl, madeUp]) {
      const { context, page } = await openPreview(url);
      await expect
        .poll(() => page.getByRole('alert').allTextContents())
        .toContainEqual(expect.stringContaining(refusedLink));
      await expect(page.locator('#workspace-heading').count()).resolves.toBe(0);
      await context.close();
    }
    // Dr Rao's own window is untouched.
    await expect.poll(() => asha.page.locator('#workspace-heading').isVisible()).toBe(true);
  });

  it('refuses a request from another origin even with her session cookie, one without it, and malformed calls', async () => {
    const cookies = await asha.context.cookies();
    const session = cookies.find((c) => c.name === 'cm_preview_session')!;
    const cookie = `${session.name}=${session.value}`;
    const origin = new URL(previewUrl).origin;

    const fromThePage = await bridgeCall(sessionCurrent, { cookie, origin });
    expect(fromThePage.status).toBe(200);
    expect(fromThePage.body).toMatchObject({ ok: true, value: { status: 'active' } });

    const refusals: Record<string, string>[] = [
      { cookie, origin: 'http://127.0.0.1:1' },
      { cookie, origin: 'null' },
      { origin },
    ];
    for (const headers of refusals) {
      const refused = await bridgeCall(sessionCurrent, headers);
      expect(refused.status).toBe(403);
      expect(refused.body).toMatchObject({ ok: false, error: { code: 'forbidden_sender' } });
    }
    // From the page itself, a malformed call is refused alone, with its reason, and the bridge carries on.
    const page = { cookie, origin };
    expect((await bridgeCall('%E0', page)).body).toMatchObject({ error: { code: 'unknown_call' } });
    expect((await bridgeCall(sessionCurrent, page, 'not json')).body).toMatchObject({
      error: { code: 'invalid_args' },
    });
    expect((await bridgeCall(sessionCurrent, page)).body).toMatchObject({ ok: true });
  });

  it('Ctrl-C stops the preview, the servers and every process the command started', async () => {
    process.kill(-dev.pid!, 'SIGINT');
    await expect.poll(groupAlive, { timeout: 30_000 }).toBe(false);
    await expect(bridgeCall(sessionCurrent, {})).rejects.toThrow();
  });
});
