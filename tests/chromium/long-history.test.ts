// A long conversation in Chromium: the view stays virtualized (a few dozen rows in the DOM however long the
// history), shows a separator for each day, and loads older pages as the user scrolls up, in order, to the
// very first message. (The 100,000-message scroll is measured by tests/bench/scroll.bench.ts.)
// The CI size is 1,000 messages (5 pages of 200); SOAK_SCALE=full, 3,000 (15 pages).
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { seedHistory, seededText } from '../support/seeded-history';
import { checkScreen, pairOnScreen, type PairOnScreen } from './harness';

const FULL = process.env.SOAK_SCALE === 'full';
const COUNT = FULL ? 3_000 : 1_000;
/** About two weeks of history whatever the size (one day separator a day). */
const STEP_MS = Math.round((15 * 24 * 60 * 60_000) / COUNT);
/** The message searched for, mid-history: older and newer pages lie on both sides of it. */
const HIT = FULL ? 1_234 : 412;

let pair: PairOnScreen;
let page: Page;

beforeAll(async () => {
  pair = await pairOnScreen(async ({ asha, samuel, conversationId }) =>
    seedHistory(asha, conversationId, { count: COUNT, stepMs: STEP_MS, senders: [asha, samuel] }),
  );
  page = pair.page;
}, 180_000);
afterAll(async () => pair?.close());

const log = () => page.getByRole('log', { name: 'Messages' });
const renderedNotes = () =>
  log()
    .getByRole('article')
    .evaluateAll((articles) =>
      articles.map((a) => Number(/Note (\d+):/.exec(a.textContent ?? '')?.[1] ?? NaN)),
    );

it('opens at the newest message, with day separators, and only a few dozen rows in the DOM', async () => {
  await expect.poll(renderedNotes, { timeout: 30_000 }).toContain(COUNT);
  expect(await log().innerText()).toContain(seededText(COUNT));
  const rows = await log().locator('.message-row').count();
  expect(rows).toBeGreaterThan(3);
  expect(rows).toBeLessThan(60);
  await checkScreen(page, 'long-history-newest');
});

/**
 * Scrolls by `step` pixels a time (smaller than the rendered window, the view plus overscan, so every row
 * passes through the DOM) until note `until` is rendered or the view stops moving for 100 steps; records
 * what is rendered at the start and after each step, once the rows at the leading edge are rendered.
 */
const walk = (step: number, until: number) =>
  page.locator('.message-scroller').evaluate(
    async (el, { step, until }) => {
      const frame = () => new Promise((r) => requestAnimationFrame(r));
      const seen = new Set<number>();
      const days = new Set<string>();
      let maxRows = 0;
      let outOfOrder = 0;
      let stuck = 0;
      // The rows at the edge the view moves towards are rendered (React may lag a frame or more under load).
      const caughtUp = () => {
        const box = el.getBoundingClientRect();
        const y = step < 0 ? box.top + 1 : box.bottom - 1;
        return [...el.querySelectorAll('.message-row')].some((row) => {
          const r = row.getBoundingClientRect();
          return r.top <= y && r.bottom > y;
        });
      };
      const record = () => {
        const notes = [...el.querySelectorAll('article')].map((a) =>
          Number(/Note (\d+):/.exec(a.textContent ?? '')?.[1] ?? NaN),
        );
        for (let k = 1; k < notes.length; k++) if (notes[k] !== notes[k - 1]! + 1) outOfOrder++;
        notes.forEach((n) => seen.add(n));
        el.querySelectorAll('.day-separator').forEach((d) => days.add(d.textContent ?? ''));
        maxRows = Math.max(maxRows, el.querySelectorAll('.message-row').length);
      };
      record();
      for (let i = 0; i < 5_000 && !seen.has(until) && stuck < 100; i++) {
        const before = el.scrollTop;
        el.scrollBy(0, step);
        await frame();
        await frame();
        for (let wait = 0; wait < 60 && !caughtUp(); wait++) await frame();
        stuck = el.scrollTop === before ? stuck + 1 : 0;
        record();
      }
      const notes = [...seen];
      return {
        seen: seen.size,
        first: Math.min(...notes),
        last: Math.max(...notes),
        days: days.size,
        maxRows,
        outOfOrder,
        stuck,
      };
    },
    { step, until },
  );

it(
  'loads older pages while scrolling up, in order, down to the first message',
  { timeout: 240_000 },
  async () => {
    // A slow ward PC: the renderer runs at a sixth of its speed, so pages land while the user is still
    // scrolling. (It made the view skip whole pages twice over: a scroll between a page's arrival and its
    // render lost the reading anchor, and an anchor on a day separator vanished when the page came.)
    const cdp = await page.context().newCDPSession(page);
    await cdp.send('Emulation.setCPUThrottlingRate', { rate: 6 });
    const up = await walk(-700, 1).finally(() => cdp.send('Emulation.setCPUThrottlingRate', { rate: 1 }));
    expect(up).toMatchObject({ first: 1, outOfOrder: 0 });
    expect(up.stuck).toBeLessThan(100);
    // Each older page arriving puts the view back on the row the user was reading, give or take a row.
    expect(up.seen).toBeGreaterThan(COUNT * 0.99);
    expect(up.maxRows).toBeLessThan(60);
    // About two weeks of history: one separator per day.
    expect(up.days).toBeGreaterThanOrEqual(14);
    expect(await log().innerText()).toContain(seededText(1));
    await expect.poll(() => page.getByRole('button', { name: 'Load older messages' }).count()).toBe(0);
    await checkScreen(page, 'long-history-oldest');
  },
);

it(
  'opens a search hit in place, mid-history, and reads forward page by page to the newest',
  { timeout: 240_000 },
  async () => {
    const hit = HIT;
    await page.getByLabel('Search messages').fill(`Note ${hit}:`);
    await page.keyboard.press('Enter');
    const hits = page.getByRole('list', { name: 'Messages found' }).getByRole('button');
    await expect.poll(() => hits.count(), { timeout: 10_000 }).toBe(1);
    await hits.click();
    // The message found is shown, marked and focused (a screen reader reads it out); the newest are not loaded.
    const found = page.locator('.message-row--found');
    await expect.poll(() => found.innerText(), { timeout: 10_000 }).toContain(seededText(hit));
    expect(await page.evaluate(() => document.activeElement?.classList.contains('message-row--found'))).toBe(
      true,
    );
    expect(await renderedNotes()).not.toContain(COUNT);
    const showNewest = page.getByRole('button', { name: 'Show newest messages' });
    expect(await showNewest.count()).toBe(1);
    await checkScreen(page, 'long-history-search-hit');

    const down = await walk(700, COUNT);
    expect(down).toMatchObject({ last: COUNT, outOfOrder: 0 });
    expect(down.first).toBeLessThanOrEqual(hit);
    expect(down.stuck).toBeLessThan(100);
    expect(down.seen).toBeGreaterThan((COUNT - hit) * 0.99);
    expect(down.maxRows).toBeLessThan(60);
    await expect.poll(() => showNewest.count()).toBe(0);

    // Opened at the hit again, the button goes straight back to the newest messages.
    await page.getByLabel('Search messages').press('Enter');
    await hits.click();
    await expect.poll(() => found.innerText(), { timeout: 10_000 }).toContain(seededText(hit));
    await showNewest.click();
    await expect.poll(renderedNotes, { timeout: 10_000 }).toContain(COUNT);
    expect(await showNewest.count()).toBe(0);
  },
);
