import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { coreForTest } from '../support/core';
import { checkScreen, launchChromium, openApp, serveRenderer } from './harness';

const dir = mkdtempSync(join(tmpdir(), 'cm-chromium-'));
const policyFile = (name: string, content: unknown): string => {
  const path = join(dir, name);
  writeFileSync(path, JSON.stringify(content));
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

describe('the app window in Chromium, over the contract', () => {
  it('shows app info and the effective policy that reached it through the contract', async () => {
    const core = coreForTest({
      appVersion: '0.1.0-test',
      policyFiles: {
        machine: policyFile('machine.json', {
          hubUrl: 'https://hub.hospital.example',
          idleLockMaxMinutes: 10,
        }),
        user: policyFile('user.json', { idleLockMinutes: 3 }),
      },
    });
    const { page, cspViolations } = await openApp(browser, core, server.url);
    // Nobody has signed in: one "Sign in", no connection state (nobody is connected yet), and the servers and
    // policy folded away for IT.
    await page.getByRole('button', { name: 'Sign in', exact: true }).waitFor();
    expect(await page.getByRole('button', { name: 'Sign in as someone else' }).count()).toBe(0);
    expect(await page.getByTestId('connection-state').count()).toBe(0);
    const info = page.getByTestId('app-info');
    expect(await info.isVisible()).toBe(false);
    await page.getByText('Connection and policy details').click();
    await expect.poll(() => info.textContent()).toContain('Clinical Messenger 0.1.0-test');
    const text = await info.innerText();
    expect(text).toContain('https://hub.hospital.example');
    expect(text).toContain('set by hospital policy');
    expect(text).toMatch(/3 min \(maximum 10 min\)/);
    expect(text).toMatch(/Saving documents to disk\s+Not allowed/);

    await checkScreen(page, 'app-shell');
    expect(cspViolations).toEqual([]);
    await page.context().close();
  });

  it('exposes exactly the contract to the page, and nothing of Node', async () => {
    const core = coreForTest();
    const { page } = await openApp(browser, core, server.url);
    const surface = await page.evaluate(async () => ({
      keys: Object.keys(window.clinical).sort(),
      unknown: await (window.clinical.call as (n: string) => Promise<unknown>)('fs.readFile'),
      badArgs: await (window.clinical.call as (n: string, a: unknown) => Promise<unknown>)('app.info', {
        x: 1,
      }),
      hasRequire: typeof (window as unknown as { require?: unknown }).require,
      hasProcess: typeof (window as unknown as { process?: unknown }).process,
    }));
    expect(surface).toEqual({
      keys: ['call', 'on'],
      unknown: { ok: false, error: { code: 'unknown_call', message: 'No such call: fs.readFile' } },
      badArgs: { ok: false, error: { code: 'invalid_args', message: expect.stringContaining('app.info') } },
      hasRequire: 'undefined',
      hasProcess: 'undefined',
    });
    await page.context().close();
  });

  it('enforces its CSP: an injected inline script does not run', async () => {
    const core = coreForTest();
    const { page, cspViolations } = await openApp(browser, core, server.url);
    await page.getByRole('heading', { name: 'This workstation' }).waitFor();
    const ran = await page.evaluate(async () => {
      const script = document.createElement('script');
      script.textContent = 'window.__injected = true;';
      document.body.append(script);
      await new Promise((r) => setTimeout(r, 50));
      return (window as unknown as { __injected?: boolean }).__injected === true;
    });
    expect(ran).toBe(false);
    expect(cspViolations.length).toBeGreaterThan(0);
    await page.context().close();
  });

  it('tells the user which policy file and field are wrong, and runs on safe defaults', async () => {
    const machine = policyFile('broken.json', { hubUrl: 'http://insecure.example', saveToDiskAllowed: true });
    const core = coreForTest({ policyFiles: { machine, user: null } });
    const { page } = await openApp(browser, core, server.url);
    const problems = page.getByTestId('policy-problems');
    await problems.waitFor();
    expect(await problems.innerText()).toContain(`${machine}: hubUrl must be an https:// URL`);
    expect(await page.getByTestId('app-info').innerText()).toMatch(/Saving documents to disk\s+Not allowed/);
    await checkScreen(page, 'app-shell-policy-problem');
    await page.context().close();
  });
});
