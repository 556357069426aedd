// A long conversation in Chromium: the view stays virtualized (a few dozen rows in the DOM however long the
// history), shows a separator for each day, and loads older pages as the user scrolls up, in order, to the
// very first message. (The 100,000-message scroll is measured by tests/bench/scroll.bench.ts.)
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { seedHistory, seededText } from '../support/seeded-history';
import { checkScreen, pairOnScreen, type PairOnScreen } from './harness';

const COUNT = 3_000;
const STEP_MS = 7 * 60_000; // about two weeks of history

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

it('loads older pages while scrolling up, in order, down to the first message', async () => {
  // Scrolls up in steps smaller than the rendered window (the view plus overscan), so every row passes
  // through the DOM; after each frame, records what is rendered.
  const walk = await page.locator('.message-scroller').evaluate(async (el) => {
    const frame = () => new Promise((r) => requestAnimationFrame(r));
    const seen = new Set<number>();
    const days = new Set<string>();
    let maxRows = 0;
    let outOfOrder = 0;
    let stuck = 0;
    for (let i = 0; i < 5_000 && !seen.has(1) && stuck < 100; i++) {
      stuck = el.scrollTop === 0 ? stuck + 1 : 0;
      el.scrollBy(0, -1_000);
      await frame();
      await frame();
      const notes = [...el.querySelectorAll('article')].map((a) =>
        Number(/Note (\d+):/.exec(a.textContent ?? '')?.[1] ?? NaN),
      );
      for (let k = 1; k < notes.length; k++) if (notes[k] !== notes[k - 1]! + 1) outOfOrder++;
      notes.forEach((n) => seen.add(n));
      el.querySelectorAll('.day-separator').forEach((d) => days.add(d.textContent ?? ''));
      maxRows = Math.max(maxRows, el.querySelectorAll('.message-row').length);
    }
    return { seen: seen.size, first: Math.min(...seen), days: days.size, maxRows, outOfOrder, stuck };
  });
  expect(walk).toMatchObject({ first: 1, outOfOrder: 0, stuck: 0 });
  // Each older page arriving puts the view back on the row the user was reading, give or take a row.
  expect(walk.seen).toBeGreaterThan(COUNT * 0.99);
  expect(walk.maxRows).toBeLessThan(60);
  // About two weeks of history: one separator per day.
  expect(walk.days).toBeGreaterThanOrEqual(14);
  expect(await log().innerText()).toContain(seededText(1));
  await expect.poll(() => page.getByRole('button', { name: 'Load older messages' }).count()).toBe(0);
  await checkScreen(page, 'long-history-oldest');
});
