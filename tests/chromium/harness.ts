// Runs the built renderer in Debian's Chromium with the contract served by a real core in this process:
// the page gets the same `window.clinical` the preload builds, over a Playwright binding instead of IPC.
import { readFile, writeFile } from 'node:fs/promises';
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
  /** Fault injection: awaited before a call of that channel reaches the core (an answer held back). */
  holdCalls: (channel: string) => Promise<void> = async () => {},
): Promise<{ page: Page; cspViolations: string[] }> {
  const browserContext = await browser.newContext({ viewport: { width: 1280, height: 800 }, ...context });
  const page = await browserContext.newPage();
  const cspViolations: string[] = [];
  page.on('console', (message) => {
    if (/Content Security Policy/i.test(message.text()) && !/frame-ancestors/.test(message.text())) {
      cspViolations.push(message.text());
    }
  });
  await page.exposeBinding('__cmInvoke', async (_source, channel: string, args: unknown) => {
    await holdCalls(channel);
    return dispatchChannel(core, channel, args);
  });
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

/**
 * The windows a screen is photographed in: a ward PC (1280x800), a large monitor, the same PC at 200% zoom (a
 * 640x400 CSS window drawn at twice the pixels), 320 CSS px wide (1280 px at 400% zoom, WCAG 1.4.10), Windows
 * high contrast (forced colours) and dark mode. Never the full page: what is below the fold stays out of the shot.
 */
export const screenModes = [
  '1280x800',
  '1920x1080',
  '1280x800-zoom200',
  '320x800',
  'forced-colors',
  'dark',
] as const;
export type ScreenMode = (typeof screenModes)[number];

/** Every screen in the ward PC's window; in all six with SCREEN_MODES=all (`npm run screens`). */
const defaultModes: readonly ScreenMode[] = process.env.SCREEN_MODES === 'all' ? screenModes : ['1280x800'];

const windowOf: Record<ScreenMode, { width: number; height: number; scale?: number }> = {
  '1280x800': { width: 1280, height: 800 },
  '1920x1080': { width: 1920, height: 1080 },
  '1280x800-zoom200': { width: 640, height: 400, scale: 2 },
  '320x800': { width: 320, height: 800 },
  'forced-colors': { width: 1280, height: 800 },
  dark: { width: 1280, height: 800 },
};

/** Runs `run` with the page in `mode`, handing it a way to photograph the window at the mode's pixel density. */
async function inMode<T>(
  page: Page,
  mode: ScreenMode,
  run: (shoot: (path: string) => Promise<unknown>) => Promise<T>,
): Promise<T> {
  const before = page.viewportSize();
  const { width, height, scale } = windowOf[mode];
  await page.setViewportSize({ width, height });
  const cdp = scale ? await page.context().newCDPSession(page) : null;
  await cdp?.send('Emulation.setDeviceMetricsOverride', {
    width,
    height,
    deviceScaleFactor: scale!,
    mobile: false,
  });
  if (mode === 'forced-colors') await page.emulateMedia({ forcedColors: 'active' });
  if (mode === 'dark') await page.emulateMedia({ colorScheme: 'dark' });
  try {
    // Fonts first (Devanagari loads when a Hindi word first shows), then two frames: the layout and paint of the
    // new window size are done before the shot. A new colour scheme starts the buttons' 150 ms colour transitions;
    // the shot and axe-core wait, a frame at a time (up to a second), until none runs, or they judge a colour
    // halfway between the two schemes.
    await page.evaluate(async () => {
      const frame = () => new Promise((done) => requestAnimationFrame(done));
      await document.fonts.ready;
      await frame();
      await frame();
      const transitioning = () => document.getAnimations().some((a) => a instanceof CSSTransition);
      for (let frames = 0; frames < 60 && transitioning(); frames++) await frame();
    });
    // Playwright photographs at the CSS size; the debugger protocol at the emulated density (a zoomed window).
    return await run(async (path) =>
      cdp
        ? writeFile(
            path,
            Buffer.from((await cdp.send('Page.captureScreenshot', { format: 'png' })).data, 'base64'),
          )
        : page.screenshot({ path }),
    );
  } finally {
    if (mode === 'forced-colors' || mode === 'dark')
      await page.emulateMedia({ forcedColors: null, colorScheme: null });
    await cdp?.send('Emulation.clearDeviceMetricsOverride');
    await cdp?.detach();
    if (before) await page.setViewportSize(before);
  }
}

const shotPath = (name: string, mode: ScreenMode) =>
  join(screenshotDir, mode === '1280x800' ? `${name}.png` : `${name}--${mode}.png`);

/**
 * Every screen is photographed in the window (in each mode) and must pass axe-core there; returns the files.
 * A violation names the screen and the mode.
 */
export async function checkScreen(
  page: Page,
  name: string,
  modes: readonly ScreenMode[] = defaultModes,
): Promise<string[]> {
  mkdirSync(screenshotDir, { recursive: true });
  const paths: string[] = [];
  for (const mode of modes) {
    const path = shotPath(name, mode);
    const violations = await inMode(page, mode, async (shoot) => {
      await shoot(path);
      return axeViolations(page);
    });
    if (violations.length > 0) {
      throw new Error(`axe-core violations on ${name} (${mode}): ${JSON.stringify(violations)}`);
    }
    paths.push(path);
  }
  return paths;
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

/** "Sign in" on a computer nobody has used, "Sign in as someone else" once profiles are listed. */
export const signInButton = (page: Page): Locator =>
  page.getByRole('button', { name: /^Sign in( as someone else)?$/ });

/**
 * Signs a seeded user in from the sign-in screen of `page` ("Sign in", then the IdP's page)
 * and waits for the workspace: a first sign-in on that workstation profile enrols it as a new device.
 */
export async function signInOnScreen(page: Page, ws: Workstation, username: string): Promise<void> {
  ws.login.next(ws.credentials(username));
  await signInButton(page).click();
  await page.locator('#workspace-heading').waitFor({ timeout: 60_000 });
}
