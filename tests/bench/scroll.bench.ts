/**
 * Long-conversation scroll benchmark: `npm run bench -- scroll` (BENCH_SCALE=smoke|full; default full).
 * full: 100,000 messages in one conversation; smoke: 5,000. Needs the built renderer (`npm run build`).
 *
 * The history is seeded straight into a signed-in core's encrypted store (tests/support/seeded-history.ts);
 * the built renderer runs in Chromium over that core, exactly as in the Chromium tests.
 * 1. OPEN: selecting the conversation until its newest message is on screen (a figure, with Playwright's own
 *    latency in it), beside the contract's messages.page call for the newest page, in Node, on the same core.
 * 2. SCROLL: scrolling up by 1,000 px per frame through WALK rows (older pages load on the way), recording
 *    every frame interval; against Chromium scrolling a plain static list of the same rows (no React, no
 *    virtualization, nothing loading) the same way. Also the most rows ever in the DOM.
 * Prints figures and ratios; never asserts timings.
 */
import type { Page } from 'playwright-core';
import { launchChromium, openApp, serveRenderer } from '../chromium/harness';
import { userId } from '../stack/hub/hub-test-kit';
import { seedHistory, seededText } from '../support/seeded-history';
import { must, twoClinicians } from '../support/workstation';
import { benchScale, measure, printRatios, printTable, ratio, type Figure } from './report';

const scale = benchScale();
const COUNT = scale === 'smoke' ? 5_000 : 100_000;
const WALK = scale === 'smoke' ? 1_000 : 4_000;

interface Walk {
  frames: number;
  seconds: number;
  p50: number;
  p95: number;
  max: number;
  rows: number;
  maxDomRows: number;
}

/**
 * Scrolls `selector` up 1,000 px a frame until `rows` distinct rows went through the DOM, or the view stayed
 * at the top for `patienceFrames` frames (the app may be loading an older page); records frame intervals.
 */
async function walkUp(page: Page, selector: string, rows: number, patienceFrames: number): Promise<Walk> {
  // No named functions inside: tsx would wrap them in a helper the page does not have.
  const raw = await page.locator(selector).evaluate(
    async (el, [wanted, patience]) => {
      const seen = new Set<string>();
      const intervals: number[] = [];
      let maxDomRows = 0;
      let last = await new Promise<number>((r) => requestAnimationFrame(r));
      const start = last;
      let still = 0;
      while (seen.size < wanted! && still < patience!) {
        const before = el.scrollTop;
        el.scrollBy(0, -1_000);
        const now = await new Promise<number>((r) => requestAnimationFrame(r));
        intervals.push(now - last);
        last = now;
        still = el.scrollTop === before ? still + 1 : 0;
        const rendered = el.querySelectorAll('article, .static-row');
        rendered.forEach((a) => seen.add(/Note (\d+):/.exec(a.textContent ?? '')?.[1] ?? ''));
        maxDomRows = Math.max(maxDomRows, rendered.length);
      }
      return { intervals, seconds: (last - start) / 1000, rows: seen.size, maxDomRows };
    },
    [rows, patienceFrames],
  );
  const sorted = [...raw.intervals].sort((x, y) => x - y);
  const at = (q: number) => sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))] ?? 0;
  return {
    frames: sorted.length,
    seconds: raw.seconds,
    p50: at(0.5),
    p95: at(0.95),
    max: sorted.at(-1) ?? 0,
    rows: raw.rows,
    maxDomRows: raw.maxDomRows,
  };
}

const asFigure = (name: string, w: Walk): Figure => ({
  name,
  ops: w.frames,
  seconds: w.seconds,
  rate: w.frames / w.seconds,
  note: `frame p50 ${w.p50.toFixed(1)} ms, p95 ${w.p95.toFixed(1)} ms, max ${w.max.toFixed(1)} ms; ${w.rows} rows passed, at most ${w.maxDomRows} in the DOM`,
});

const { ws, asha, samuel } = await twoClinicians();
const server = await serveRenderer();
const browser = await launchChromium();
try {
  const { conversationId } = await must<{ conversationId: string }>(asha, 'conversations.create', {
    kind: 'direct',
    memberIds: [userId(ws.stack, 'dr.samuel.okafor')],
  });
  const seeding = await measure(`seed ${COUNT.toLocaleString('en-US')} messages`, COUNT, () =>
    seedHistory(asha, conversationId, { count: COUNT, stepMs: 60_000, senders: [asha, samuel] }),
  );

  const { page } = await openApp(browser, asha, server.url);
  await page.locator('#workspace-heading').waitFor();
  const rawPage = await measure('raw: messages.page newest 200 (contract, Node)', 1, () =>
    must(asha, 'messages.page', { conversationId, limit: 200 }),
  );
  // Includes Playwright's click and polling for the text: an upper bound, not comparable to the raw call.
  const open = await measure('open conversation until newest message shows', 1, async () => {
    await page.getByRole('button', { name: /Dr Samuel Okafor/ }).click();
    await page.getByRole('log').getByText(seededText(COUNT)).waitFor();
  });
  const app = await walkUp(page, '.message-scroller', WALK, 120);

  // The raw primitive: the same rows as plain static DOM in a scrolling box, scrolled the same way.
  const plain = await browser.newPage({ viewport: { width: 1280, height: 820 } });
  const rows = Array.from({ length: WALK }, (_, i) => seededText(COUNT - i)).reverse();
  await plain.setContent(
    `<div id="box" style="height:490px;overflow-y:auto;font:15px system-ui">${rows
      .map(
        (t) =>
          `<div class="static-row" style="padding:8px 12px"><p style="margin:0">Dr Asha Rao · 10:33</p><p style="margin:4px 0">${t}</p></div>`,
      )
      .join('')}</div>`,
  );
  await plain.locator('#box').evaluate((el) => el.scrollTo(0, el.scrollHeight));
  // All its rows are in the DOM from the start: it walks until the top.
  const raw = await walkUp(plain, '#box', Number.MAX_SAFE_INTEGER, 1);

  const appFigure = asFigure(`app: scroll up ${WALK} rows of ${COUNT.toLocaleString('en-US')}`, app);
  const rawFigure = asFigure(`raw: static list of ${WALK} rows`, raw);
  printTable(`Long conversation (${scale})`, [seeding, rawPage, open, rawFigure, appFigure]);
  printRatios('Ratios', [ratio('Scroll frames/s: app ÷ static list', appFigure, rawFigure, 0.8)]);
} finally {
  await browser.close();
  await server.close();
  await ws.close();
}
