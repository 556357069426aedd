// Runs the built renderer in Debian's Chromium with the contract served by a real core in this process:
// the page gets the same `window.clinical` the preload builds, over a Playwright binding instead of IPC.
import { readFile } from 'node:fs/promises';
import { mkdirSync } from 'node:fs';
import { join, resolve } from 'node:path';
import type { Browser, BrowserContextOptions, Locator, Page } from 'playwright-core';
import type { Core } from '../../src/main/core';
import { eventChannel } from '../../src/shared/contract';
import { userId } from '../stack/hub/hub-test-kit';
import { dispatchChannel, pageBridgeScript, serveRenderer } from '../support/renderer-bridge';
import { must, twoClinicians, type Workstation } from '../support/workstation';

export { rendererRoot, serveRenderer } from '../support/renderer-bridge';
export const screenshotDir = resolve('test-results/screenshots');

import { launchChromium } from '../support/chromium';

export { launchChromium };

/**
 * Opens the app page with `window.clinical` wired to `core`; returns the page and the CSP violations seen.
 * `context` adds to the browser context, e.g. `{ locale: 'hi-IN' }` for a computer set to Hindi.
 */
export async function openApp(
  browser: Browser,
  core: Core,
  url: string,
  context: BrowserContextOptions = {},
): Promise<{ page: Page; cspViolations: string[] }> {
  const browserContext = await browser.newContext({ viewport: { width: 1280, height: 820 }, ...context });
  const page = await browserContext.newPage();
  const cspViolations: string[] = [];
  page.on('console', (message) => {
    if (/Content Security Policy/i.test(message.text()) && !/frame-ancestors/.test(message.text())) {
      cspViolations.push(message.text());
    }
  });
  await page.exposeBinding('__cmInvoke', (_source, channel: string, args: unknown) =>
    dispatchChannel(core, channel, args),
  );
  await page.addInitScript(
    pageBridgeScript(`(deliver) => {
      window.__cmDeliver = deliver;
      return { invoke: (channel, args) => window.__cmInvoke(channel, args) };
    }`),
  );
  const unsubscribe = core.events.subscribe((name, payload) => {
    void page
      .evaluate(
        ([channel, p]) =>
          (window as unknown as { __cmDeliver(c: unknown, p: unknown): void }).__cmDeliver(channel, p),
        [eventChannel(name), payload] as const,
      )
      .catch((error: unknown) => {
        if (!page.isClosed()) throw error;
      });
  });
  page.once('close', unsubscribe);
  await page.goto(url);
  return { page, cspViolations };
}

/**
 * Moves the keyboard focus with Tab alone (Shift+Tab when `backwards`) until it reaches `target`: proof it is
 * reachable without a mouse.
 */
export async function tabTo(page: Page, target: Locator, maxTabs = 60, backwards = false): Promise<void> {
  for (let i = 0; i < maxTabs; i++) {
    if (await target.evaluate((el) => el === document.activeElement)) return;
    await page.keyboard.press(backwards ? 'Shift+Tab' : 'Tab');
  }
  throw new Error(`could not reach ${target.toString()} with the Tab key`);
}

export async function screenshot(page: Page, name: string): Promise<string> {
  mkdirSync(screenshotDir, { recursive: true });
  const path = join(screenshotDir, `${name}.png`);
  await page.screenshot({ path, fullPage: true });
  return path;
}

/** The window as a ward PC shows it (1280x800, not the full page), with no axe-core violations. */
export async function checkView(page: Page, name: string): Promise<void> {
  mkdirSync(screenshotDir, { recursive: true });
  await page.setViewportSize({ width: 1280, height: 800 });
  await page.screenshot({ path: join(screenshotDir, `${name}.png`) });
  const violations = await axeViolations(page);
  if (violations.length > 0) throw new Error(`axe-core violations on ${name}: ${JSON.stringify(violations)}`);
}

/** Every screen is photographed and must pass axe-core; returns the screenshot's path. */
export async function checkScreen(page: Page, name: string): Promise<string> {
  const path = await screenshot(page, name);
  const violations = await axeViolations(page);
  if (violations.length > 0) {
    throw new Error(`axe-core violations on ${name}: ${JSON.stringify(violations)}`);
  }
  return path;
}

/** Runs axe-core in the page (through the debugger protocol, so the page's CSP stays in force). */
export async function axeViolations(page: Page): Promise<{ id: string; nodes: number; targets: string[] }[]> {
  const source = await readFile(resolve('node_modules/axe-core/axe.min.js'), 'utf8');
  await page.evaluate(source);
  return page.evaluate(async () => {
    const axe = (
      window as unknown as {
        axe: { run(): Promise<{ violations: { id: string; nodes: { target: string[] }[] }[] }> };
      }
    ).axe;
    const result = await axe.run();
    return result.violations.map((v) => ({
      id: v.id,
      nodes: v.nodes.length,
      targets: v.nodes.slice(0, 5).map((n) => n.target.join(' ')),
    }));
  });
}

export interface PairOnScreen {
  ws: Workstation;
  asha: Core;
  samuel: Core;
  conversationId: string;
  /** Asha's app, open on the conversation with Samuel. */
  page: Page;
  close(): Promise<void>;
}

/**
 * Dr Asha Rao and Dr Samuel Okafor signed in, with a direct conversation between them, and Asha's app in
 * Chromium open on it. `prepare` runs before the app opens (to seed history, or to tamper with the hub).
 */
export async function pairOnScreen(
  prepare: (pair: Omit<PairOnScreen, 'page' | 'close'>) => Promise<void> = async () => {},
): Promise<PairOnScreen> {
  const { ws, asha, samuel } = await twoClinicians();
  const { conversationId } = await must<{ conversationId: string }>(asha, 'conversations.create', {
    kind: 'direct',
    memberIds: [userId(ws.stack, 'dr.samuel.okafor')],
  });
  await prepare({ ws, asha, samuel, conversationId });
  const server = await serveRenderer();
  const browser = await launchChromium();
  const { page } = await openApp(browser, asha, server.url);
  await page.getByRole('button', { name: /Dr Samuel Okafor/ }).click();
  return {
    ws,
    asha,
    samuel,
    conversationId,
    page,
    async close() {
      await browser.close();
      await server.close();
      await ws.close();
    },
  };
}

/**
 * Signs a seeded user in from the sign-in screen of `page` ("Sign in as someone else", then the IdP's page)
 * and waits for the workspace: a first sign-in on that workstation profile enrols it as a new device.
 */
export async function signInOnScreen(page: Page, ws: Workstation, username: string): Promise<void> {
  ws.login.next(ws.credentials(username));
  await page.getByRole('button', { name: 'Sign in as someone else' }).click();
  await page.locator('#workspace-heading').waitFor({ timeout: 60_000 });
}
