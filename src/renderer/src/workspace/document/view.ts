// The viewer's arithmetic, kept pure so it is tested without a browser: zoom steps, the zoom that fits the
// page to the window, and which page the reader is on.

/** Zoom as a share of the page's printed size (100%: an A4 page is 794 CSS px wide). */
export const zoomSteps = [0.5, 0.67, 0.8, 1, 1.25, 1.5, 2, 3] as const;
export const minZoom = zoomSteps[0];
export const maxZoom = zoomSteps[zoomSteps.length - 1]!;

/** CSS px per PDF point at 100% (a point is 1/72 inch, a CSS px 1/96). */
export const cssPxPerPoint = 96 / 72;

/** The next step up from `zoom` (a fitted zoom lies between steps), or the largest. */
export function zoomIn(zoom: number): number {
  return zoomSteps.find((step) => step > zoom + 0.005) ?? maxZoom;
}

/** The next step down from `zoom`, or the smallest. */
export function zoomOut(zoom: number): number {
  return [...zoomSteps].reverse().find((step) => step < zoom - 0.005) ?? minZoom;
}

/** The zoom at which a page `pageWidthPt` wide fills `availablePx`, within the zoom range. */
export function fitZoom(availablePx: number, pageWidthPt: number): number {
  if (availablePx <= 0 || pageWidthPt <= 0) return 1;
  return Math.min(maxZoom, Math.max(minZoom, availablePx / (pageWidthPt * cssPxPerPoint)));
}

/**
 * The page being read (1-based): the last one whose top is in the upper half of the view, or the last page
 * once the view is scrolled to the end (a short last page never reaches the top).
 */
export function pageAt(
  tops: readonly number[],
  view: { scrollTop: number; clientHeight: number; scrollHeight: number },
): number {
  if (tops.length === 0) return 1;
  if (view.scrollTop > 0 && view.scrollTop + view.clientHeight >= view.scrollHeight - 1) return tops.length;
  const line = view.scrollTop + view.clientHeight / 2;
  let page = 1;
  tops.forEach((top, i) => {
    if (top <= line) page = i + 1;
  });
  return page;
}
