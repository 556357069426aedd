/**
 * Long-conversation scroll benchmark: `npm run bench -- scroll` (BENCH_SCALE=smoke|full; default full).
 * full: 100,000 messages in one conversation; smoke: 5,000. Needs the built renderer (`npm run build`).
 *
 * The history is seeded straight into a signed-in core's encrypted store (tests/support/seeded-history.ts);
 * the built renderer runs in Chromium over that core, exactly as in the Chromium tests.
 * 1. OPEN: measured inside the page, from a click dispatched there until the newest message's text is in the
 *    DOM and painted (the task after the frame that paints it), on a freshly loaded page, OPENS times each with
 *    the renderer unthrottled and CPU-throttled 4× (CDP), medians printed. The phases come from the renderer's
 *    User Timing marks (src/renderer/src/workspace/timeline/marks.ts) and from timing the core's answers to the
 *    opening's calls in Node. Beside it, the contract's messages.page call for the newest page in Node on the
 *    same core (the raw page call), and the same call made from the page.
 *    Electron IPC is not measured here. The page's calls go over a Playwright binding, twice: as the harness
 *    carries them (Playwright converts an answer value by value: hundreds of ms for a page of messages, at 4×),
 *    and as one JSON string each (one stringify in Node, one parse in the page, standing in for
 *    Electron's structured clone). The scroll walk runs over both.
 * 2. SCROLL: scrolling up by 1,000 px per frame through WALK rows (older pages load on the way), recording
 *    every frame interval; against Chromium scrolling a plain static list of the same rows (no React, no
 *    virtualization, nothing loading) the same way, both CPU-throttled 4×. Also the most rows ever in the DOM.
 * Prints figures and ratios; never asserts timings.
 */
import type { Page } from 'playwright-core';
import type { Core } from '../../src/main/core';
import { openMarks } from '../../src/renderer/src/workspace/timeline/marks';
import { firstPageSize } from '../../src/renderer/src/workspace/timeline/scroll';
import { eventChannel } from '../../src/shared/contract';
import { launchChromium, openApp, serveRenderer } from '../chromium/harness';
import { dispatchChannel, pageBridgeScript } from '../support/renderer-bridge';
import { userId } from '../stack/hub/hub-test-kit';
import { seedHistory, seededText } from '../support/seeded-history';
import { must, twoClinicians } from '../support/workstation';
import { benchScale, measure, printRatios, printTable, ratio, type Figure, type Ratio } from './report';

const scale = benchScale();
const COUNT = scale === 'smoke' ? 5_000 : 100_000;
const WALK = scale === 'smoke' ? 1_000 : 4_000;
/** The CPU throttling the open and scroll figures are taken at (a slow ward PC). */
const THROTTLE = 4;
const OPENS = 5;
const RAW_CALLS = 5;

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

const median = (xs: number[]): number => [...xs].sort((x, y) => x - y)[Math.floor(xs.length / 2)] ?? NaN;

async function throttle(page: Page, rate: number): Promise<void> {
  const cdp = await page.context().newCDPSession(page);
  await cdp.send('Emulation.setCPUThrottlingRate', { rate });
  await cdp.detach();
}

/**
 * Milliseconds from the click to each mark, to the newest message in the DOM, to the start of the frame that
 * paints it (its rAF callback) and to the task after that frame (painted).
 */
type OpenRun = Record<string, number>;
const phaseOrder = [...Object.values(openMarks), 'newest in DOM', 'frame', 'painted'];

/** When the core answered each call, on Node's clock: what the opening waits for in the core is read from it. */
const coreCalls: { name: string; start: number; end: number }[] = [];
function recordCalls(core: Core): void {
  const dispatch = core.dispatcher.dispatch.bind(core.dispatcher);
  core.dispatcher.dispatch = async (name, args) => {
    const start = performance.now();
    try {
      return await dispatch(name, args);
    } finally {
      coreCalls.push({ name, start, end: performance.now() });
    }
  };
}
/** The timeline's own calls on opening (fetch.ts): the newest page and the integrity alerts. */
const openingCalls = new Set(['messages.page', 'integrity.alerts']);

/** Loads the page afresh, then opens the conversation with a click dispatched in the page. */
async function openOnce(page: Page, newest: string, rate: number): Promise<OpenRun> {
  await page.reload();
  const button = page.getByRole('button', { name: /Dr Samuel Okafor/ });
  await button.waitFor();
  await throttle(page, rate);
  coreCalls.length = 0;
  // No named functions inside: tsx would wrap them in a helper the page does not have.
  const run = await button.evaluate(
    async (el, [text, names]) => {
      const shown = new Promise<number>((resolve) => {
        const observer = new MutationObserver(() => {
          if (!document.querySelector('[role=log]')?.textContent?.includes(text!)) return;
          observer.disconnect();
          resolve(performance.now());
        });
        observer.observe(document.body, { subtree: true, childList: true, characterData: true });
      });
      const start = performance.now();
      (el as HTMLElement).click();
      const inDom = await shown;
      // The frame that paints it starts (its rAF), and has painted once the next task runs.
      const frame = await new Promise<number>((r) => requestAnimationFrame(() => r(performance.now())));
      await new Promise((r) => {
        const channel = new MessageChannel();
        channel.port1.onmessage = r;
        channel.port2.postMessage(null);
      });
      const painted = performance.now();
      const marks = performance
        .getEntriesByType('mark')
        .filter((m) => (names as readonly string[]).includes(m.name))
        .map((m) => [m.name, m.startTime - start]);
      return {
        ...Object.fromEntries(marks),
        'newest in DOM': inDom - start,
        frame: frame - start,
        painted: painted - start,
      };
    },
    [newest, Object.values(openMarks)] as const,
  );
  await throttle(page, 1);
  const calls = coreCalls.filter((c) => openingCalls.has(c.name));
  const core = Math.max(...calls.map((c) => c.end)) - Math.min(...calls.map((c) => c.start));
  return { ...run, core };
}

/** Median of each phase over `runs`, as "name +ms" steps from the previous one, and the total. */
function phases(runs: OpenRun[]): { total: number; note: string } {
  let before = 0;
  const steps: string[] = [];
  for (const name of phaseOrder) {
    const at = median(runs.map((r) => r[name] ?? NaN));
    if (Number.isNaN(at)) continue;
    steps.push(`${name.replace('cm-open:', '')} +${(at - before).toFixed(1)}`);
    before = at;
  }
  const core = median(runs.map((r) => r.core!));
  return {
    total: median(runs.map((r) => r.painted!)),
    note: `ms after the click: ${steps.join(', ')}; the core answered the opening's calls in ${core.toFixed(1)} ms of the response step (the rest: the bridge, and the renderer busy with other work)`,
  };
}

/** A contract call made `RAW_CALLS` times from the page, through the bridge; median ms. */
async function callInPage(page: Page, name: string, args: unknown): Promise<number> {
  const times = await page.evaluate(
    async ([call, callArgs, calls]) => {
      const clinical = (window as unknown as { clinical: { call(c: string, a: unknown): Promise<unknown> } })
        .clinical;
      const out: number[] = [];
      for (let i = 0; i < calls; i++) {
        const start = performance.now();
        await clinical.call(call, callArgs);
        out.push(performance.now() - start);
      }
      return out;
    },
    [name, args, RAW_CALLS] as const,
  );
  return median(times);
}

const msFigure = (name: string, ms: number, note?: string): Figure => ({
  name,
  ops: 1,
  seconds: ms / 1000,
  rate: 1000 / ms,
  note,
});

/** The app page over `core` with each answer carried as one JSON string (as the harness's openApp otherwise). */
async function openJsonBridged(core: Core, url: string): Promise<Page> {
  const context = await browser.newContext({ viewport: { width: 1280, height: 800 } });
  const page = await context.newPage();
  await page.exposeBinding('__cmInvoke', async (_source, channel: string, args: unknown) =>
    JSON.stringify(await dispatchChannel(core, channel, args)),
  );
  await page.addInitScript(
    pageBridgeScript(`(deliver) => {
      window.__cmDeliver = deliver;
      return { invoke: (channel, args) => window.__cmInvoke(channel, args).then((text) => JSON.parse(text)) };
    }`),
  );
  const unsubscribe = core.events.subscribe((name, payload) => {
    void page
      .evaluate(
        ([channel, p]) =>
          (window as unknown as { __cmDeliver(c: unknown, p: unknown): void }).__cmDeliver(channel, p),
        [eventChannel(name), payload] as const,
      )
      .catch(() => undefined);
  });
  page.once('close', unsubscribe);
  await page.goto(url);
  return page;
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

  recordCalls(asha);
  const nodeCalls: number[] = [];
  for (let i = 0; i < RAW_CALLS + 1; i++) {
    const start = performance.now();
    await must(asha, 'messages.page', { conversationId, limit: 200 });
    nodeCalls.push(performance.now() - start);
  }
  const rawMs = median(nodeCalls.slice(1));
  const rawPage = msFigure(
    'raw: messages.page newest 200 (contract, Node)',
    rawMs,
    `median of ${RAW_CALLS} after a first call of ${nodeCalls[0]!.toFixed(1)} ms`,
  );
  const newest = seededText(COUNT);

  /** The open and the walk in `page`, its calls carried by `bridge`. */
  const measureApp = async (page: Page, bridge: string) => {
    await page.locator('#workspace-heading').waitFor();
    const opens = new Map<number, OpenRun[]>();
    for (const rate of [1, THROTTLE]) {
      const runs: OpenRun[] = [];
      for (let i = 0; i < OPENS; i++) runs.push(await openOnce(page, newest, rate));
      opens.set(rate, runs);
    }
    await throttle(page, THROTTLE);
    const bridged = await callInPage(page, 'messages.page', { conversationId, limit: 200 });
    const floor = await callInPage(page, 'app.info', undefined);
    await throttle(page, 1);
    const call = msFigure(
      `${bridge}: messages.page newest 200 from the page, CPU ÷${THROTTLE}`,
      bridged,
      `median of ${RAW_CALLS}; ${(bridged - rawMs).toFixed(1)} ms more than in Node; app.info from the page: ${floor.toFixed(1)} ms`,
    );
    const opened = [...opens].map(([rate, runs]) => {
      const { total, note } = phases(runs);
      const cpu = rate === 1 ? 'unthrottled' : `CPU ÷${rate}`;
      return msFigure(`${bridge}: open until newest painted, ${cpu}`, total, `median of ${OPENS}; ${note}`);
    });
    await throttle(page, THROTTLE);
    const walk = await walkUp(page, '.message-scroller', WALK, 120);
    await throttle(page, 1);
    const walked = asFigure(
      `${bridge}: scroll up ${WALK} rows of ${COUNT.toLocaleString('en-US')}, CPU ÷${THROTTLE}`,
      walk,
    );
    return { call, opened, walked };
  };

  // The harness's bridge, as every Chromium test has it: Playwright converts each answer value by value, which
  // costs far more than Electron's structured clone for a page of messages.
  const playwright = await openApp(browser, asha, server.url);
  const viaBinding = await measureApp(playwright.page, 'binding');
  const firstPage = firstPageSize(
    await playwright.page.locator('.message-scroller').evaluate((el) => el.clientHeight),
  );
  await playwright.page.context().close();
  // Each answer as one JSON string over the same binding: one serialize in Node and one parse in the page,
  // about what Electron's IPC costs (its own cost is not measured here).
  const json = await openJsonBridged(asha, server.url);
  const viaJson = await measureApp(json, 'JSON');
  await json.context().close();

  const firstCalls: number[] = [];
  for (let i = 0; i < RAW_CALLS; i++) {
    const start = performance.now();
    await must(asha, 'messages.page', { conversationId, limit: firstPage });
    firstCalls.push(performance.now() - start);
  }
  const rawFirst = msFigure(
    `raw: messages.page newest ${firstPage} (the app's first page here, Node)`,
    median(firstCalls),
    `median of ${RAW_CALLS}`,
  );

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
  await throttle(plain, THROTTLE);
  // All its rows are in the DOM from the start: it walks until the top.
  const raw = await walkUp(plain, '#box', Number.MAX_SAFE_INTEGER, 1);

  const rawFigure = asFigure(`raw: static list of ${WALK} rows, CPU ÷${THROTTLE}`, raw);
  printTable(`Long conversation (${scale})`, [
    seeding,
    rawPage,
    rawFirst,
    viaBinding.call,
    viaJson.call,
    ...viaBinding.opened,
    ...viaJson.opened,
    rawFigure,
    viaBinding.walked,
    viaJson.walked,
  ]);
  const openRatio = (via: { opened: Figure[] }, bridge: string): Ratio => {
    const value = via.opened.at(-1)!.seconds / rawPage.seconds;
    return {
      name: `Open (${bridge}, CPU ÷${THROTTLE}) ÷ raw page call`,
      value,
      target: '≤ 5',
      met: value <= 5,
    };
  };
  printRatios('Ratios', [
    openRatio(viaBinding, 'binding'),
    openRatio(viaJson, 'JSON'),
    ratio(
      `Scroll frames/s (binding): app ÷ static list, CPU ÷${THROTTLE}`,
      viaBinding.walked,
      rawFigure,
      0.8,
    ),
    ratio(`Scroll frames/s (JSON): app ÷ static list, CPU ÷${THROTTLE}`, viaJson.walked, rawFigure, 0.8),
  ]);
} finally {
  await browser.close();
  await server.close();
  await ws.close();
}
