import type { PDFDocumentProxy, PDFPageProxy, RenderTask } from 'pdfjs-dist';
import { ChevronDown, ChevronUp, Maximize2, ZoomIn, ZoomOut } from 'lucide-react';
import { useCallback, useEffect, useLayoutEffect, useRef, useState } from 'react';
import { formatNumber, t } from '../../i18n';
import { cssPxPerPoint, fitZoom, pageAt, zoomIn, zoomOut } from './view';

interface PageSize {
  width: number;
  height: number;
}

/**
 * A verified PDF, page under page in a scrolling view: "Page 2 of 7", previous and next (PageUp/PageDown), zoom
 * in, out and to the window's width (Ctrl+=, Ctrl+-, Ctrl+0). Pages are drawn only near the view.
 */
export function PdfView(props: { pdf: PDFDocumentProxy; fileName: string }): React.JSX.Element {
  const { pdf, fileName } = props;
  const scroller = useRef<HTMLDivElement>(null);
  const [sizes, setSizes] = useState<PageSize[]>([]);
  const [pages, setPages] = useState<PDFPageProxy[]>([]);
  const [zoom, setZoom] = useState<number | 'fit'>('fit');
  const [width, setWidth] = useState(0);
  const [current, setCurrent] = useState(1);
  /** A page moved to with the buttons or keys: it stays the current one while the view rests where it was put. */
  const moved = useRef<{ page: number; scrollTop: number } | null>(null);

  useEffect(() => {
    let live = true;
    void (async () => {
      const loaded: PDFPageProxy[] = [];
      for (let n = 1; n <= pdf.numPages && live; n++) loaded.push(await pdf.getPage(n));
      if (!live) return;
      setPages(loaded);
      setSizes(loaded.map((p) => p.getViewport({ scale: 1 })));
    })();
    return () => {
      live = false;
    };
  }, [pdf]);

  useLayoutEffect(() => {
    const el = scroller.current!;
    const observer = new ResizeObserver(() => setWidth(el.clientWidth));
    observer.observe(el);
    return () => observer.disconnect();
  }, []);

  const widest = Math.max(0, ...sizes.map((s) => s.width));
  // The view's side padding, both sides (viewer.css: .pdf-view__pages).
  const scale = zoom === 'fit' ? fitZoom(width - 32, widest) : zoom;

  const tops = (): number[] =>
    [...(scroller.current?.querySelectorAll<HTMLElement>('.pdf-page') ?? [])].map((el) => el.offsetTop);

  /** The current page, for effects that must not re-run when it changes. */
  const reading = useRef(1);
  const show = useCallback((page: number) => {
    reading.current = page;
    setCurrent(page);
  }, []);

  const goTo = useCallback(
    (page: number) => {
      const el = scroller.current;
      const all = el?.querySelectorAll<HTMLElement>('.pdf-page');
      const target = all?.[page - 1];
      if (!el || !all || !target) return;
      el.scrollTop = target.offsetTop - all[0]!.offsetTop;
      moved.current = { page, scrollTop: el.scrollTop };
      show(page);
    },
    [show],
  );

  // Zooming keeps the reader on the page she was on.
  useLayoutEffect(() => {
    if (sizes.length > 0) goTo(reading.current);
  }, [scale, sizes.length, goTo]);

  const onScroll = (): void => {
    const el = scroller.current!;
    if (moved.current && Math.abs(el.scrollTop - moved.current.scrollTop) < 2) return;
    moved.current = null;
    show(pageAt(tops(), el));
  };

  const count = pdf.numPages;
  const previous = () => goTo(Math.max(1, current - 1));
  const next = () => goTo(Math.min(count, current + 1));
  const zoomBy = (step: (zoom: number) => number) => setZoom(step(scale));

  useEffect(() => {
    function onKeyDown(event: KeyboardEvent): void {
      if (event.defaultPrevented || event.altKey) return;
      const ctrl = event.ctrlKey || event.metaKey;
      const action =
        !ctrl && event.key === 'PageDown'
          ? next
          : !ctrl && event.key === 'PageUp'
            ? previous
            : ctrl && (event.key === '=' || event.key === '+')
              ? () => zoomBy(zoomIn)
              : ctrl && event.key === '-'
                ? () => zoomBy(zoomOut)
                : ctrl && event.key === '0'
                  ? () => setZoom('fit')
                  : null;
      if (!action) return;
      event.preventDefault();
      action();
    }
    document.addEventListener('keydown', onKeyDown);
    return () => document.removeEventListener('keydown', onKeyDown);
  });

  return (
    <div className="pdf-view">
      <div className="pdf-view__toolbar" role="group" aria-label={t('viewer.toolbar')}>
        <button
          type="button"
          className="button viewer-tool"
          onClick={previous}
          disabled={current <= 1}
          aria-keyshortcuts="PageUp"
        >
          <ChevronUp aria-hidden="true" size={16} /> {t('viewer.previousPage')}
        </button>
        <p className="pdf-view__count" aria-live="polite" data-testid="page-count">
          {t('viewer.pageCount', { current, count })}
        </p>
        <button
          type="button"
          className="button viewer-tool"
          onClick={next}
          disabled={current >= count}
          aria-keyshortcuts="PageDown"
        >
          <ChevronDown aria-hidden="true" size={16} /> {t('viewer.nextPage')}
        </button>
        <span className="pdf-view__gap" />
        <button
          type="button"
          className="button viewer-tool"
          onClick={() => zoomBy(zoomOut)}
          aria-keyshortcuts="Control+-"
        >
          <ZoomOut aria-hidden="true" size={16} /> {t('viewer.zoomOut')}
        </button>
        <p className="pdf-view__zoom" data-testid="zoom-level">
          {formatNumber(scale, { style: 'percent' })}
        </p>
        <button
          type="button"
          className="button viewer-tool"
          onClick={() => zoomBy(zoomIn)}
          aria-keyshortcuts="Control+="
        >
          <ZoomIn aria-hidden="true" size={16} /> {t('viewer.zoomIn')}
        </button>
        <button
          type="button"
          className="button viewer-tool"
          onClick={() => setZoom('fit')}
          aria-pressed={zoom === 'fit'}
          aria-keyshortcuts="Control+0"
        >
          <Maximize2 aria-hidden="true" size={16} /> {t('viewer.fit')}
        </button>
      </div>
      <div
        className="pdf-view__pages"
        ref={scroller}
        data-testid="pdf-pages"
        role="region"
        aria-label={t('viewer.pagesOf', { fileName })}
        tabIndex={0}
        onScroll={onScroll}
      >
        {pages.map((page, i) => (
          <PdfPage
            key={i}
            page={page}
            size={sizes[i]!}
            scale={scale}
            label={t('viewer.pageOf', { page: i + 1, fileName })}
            root={scroller}
          />
        ))}
      </div>
    </div>
  );
}

/** One page: its space kept at every zoom, drawn while it is near the view and let go when far from it. */
function PdfPage(props: {
  page: PDFPageProxy;
  size: PageSize;
  scale: number;
  label: string;
  root: React.RefObject<HTMLDivElement | null>;
}): React.JSX.Element {
  const { page, size, scale, root } = props;
  const canvas = useRef<HTMLCanvasElement>(null);
  const [near, setNear] = useState(false);

  useEffect(() => {
    const observer = new IntersectionObserver(([entry]) => setNear(entry!.isIntersecting), {
      root: root.current,
      rootMargin: '100% 0px',
    });
    observer.observe(canvas.current!);
    return () => observer.disconnect();
  }, [root]);

  const cssWidth = Math.floor(size.width * scale * cssPxPerPoint);
  const cssHeight = Math.floor(size.height * scale * cssPxPerPoint);
  useLayoutEffect(() => {
    const el = canvas.current!;
    el.style.setProperty('width', `${cssWidth}px`);
    el.style.setProperty('height', `${cssHeight}px`);
  }, [cssWidth, cssHeight]);

  useEffect(() => {
    const el = canvas.current!;
    if (!near) {
      // Far from the view: give the pixels back (a 30-page PDF at 300% would hold hundreds of MB).
      el.width = 0;
      el.height = 0;
      return;
    }
    const viewport = page.getViewport({ scale: scale * cssPxPerPoint * window.devicePixelRatio });
    el.width = Math.floor(viewport.width);
    el.height = Math.floor(viewport.height);
    const task: RenderTask = page.render({ canvas: el, viewport });
    task.promise.catch(() => undefined); // cancelled by a newer zoom, or the viewer closed
    return () => task.cancel();
  }, [near, page, scale]);

  return <canvas ref={canvas} className="pdf-page" role="img" aria-label={props.label} />;
}
