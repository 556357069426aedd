// Issue 15, the document viewer's arithmetic and the messenger's grouping: which page the reader is on as she
// scrolls, the zoom steps and the zoom that fits the window, the file size a timeline shows, and which of a
// colleague's messages share one avatar and name.
import { describe, expect, it } from 'vitest';
import type { MessageView } from '../../../src/shared/contract';
import { formatSize } from '../../../src/renderer/src/workspace/document/size';
import {
  fitZoom,
  maxZoom,
  minZoom,
  pageAt,
  zoomIn,
  zoomOut,
} from '../../../src/renderer/src/workspace/document/view';
import { continuesGroup, initialsOf } from '../../../src/renderer/src/workspace/message-group';

describe('the page being read', () => {
  // Seven A4 pages 1,100 px tall with 16 px between them, in a view 600 px high.
  const tops = Array.from({ length: 7 }, (_, i) => 16 + i * 1116);
  const view = (scrollTop: number) => ({ scrollTop, clientHeight: 600, scrollHeight: 16 + 7 * 1116 });
  it('is page 1 at the top and the page whose top has passed the middle of the view', () => {
    expect(pageAt(tops, view(0))).toBe(1);
    expect(pageAt(tops, view(800))).toBe(1);
    expect(pageAt(tops, view(900))).toBe(2);
    expect(pageAt(tops, view(tops[3]!))).toBe(4);
  });
  it('is the last page once the view is at the end, though its top never reaches the middle', () => {
    const short = [16, 1132, 2248];
    expect(pageAt(short, { scrollTop: 1800, clientHeight: 600, scrollHeight: 2400 })).toBe(3);
  });
  it('is page 1 of an empty or unloaded document', () => {
    expect(pageAt([], view(0))).toBe(1);
  });
});

describe('zoom', () => {
  it('steps up and down through the levels, from a fitted zoom between them too', () => {
    expect(zoomIn(1)).toBe(1.25);
    expect(zoomOut(1)).toBe(0.8);
    expect(zoomIn(1.37)).toBe(1.5);
    expect(zoomOut(1.37)).toBe(1.25);
  });
  it('stops at the smallest and the largest', () => {
    expect(zoomIn(maxZoom)).toBe(maxZoom);
    expect(zoomOut(minZoom)).toBe(minZoom);
  });
  it('fits an A4 page (595 pt) to the width available, within the range', () => {
    expect(fitZoom(1088, 595)).toBeCloseTo(1.371, 3);
    expect(fitZoom(200, 595)).toBe(minZoom);
    expect(fitZoom(10_000, 595)).toBe(maxZoom);
    expect(fitZoom(0, 595)).toBe(1);
  });
});

describe('a document’s size in the timeline', () => {
  it('reads as a file manager shows it', () => {
    expect(formatSize(2_400_000)).toBe('2.4 MB');
    expect(formatSize(2_412)).toBe('2.4 kB');
    expect(formatSize(830_000)).toBe('830 kB');
    expect(formatSize(512)).toBe('512 byte');
    expect(formatSize(3_000_000_000)).toBe('3 GB');
  });
});

describe('grouping a colleague’s messages', () => {
  const at = (minutes: number, over: Partial<MessageView> = {}) =>
    ({
      senderUserId: 'okafor',
      verdict: 'valid',
      urgent: false,
      time: new Date(Date.UTC(2026, 11, 3, 14, 0) + minutes * 60_000).toISOString(),
      ...over,
    }) as MessageView;
  it('continues when the same sender writes again within five minutes', () => {
    expect(continuesGroup(at(0), at(4.9))).toBe(true);
    expect(continuesGroup(at(0), at(5))).toBe(false);
  });
  it('starts anew for another sender, after nothing, for an urgent message or next to an unverified one', () => {
    expect(continuesGroup(null, at(1))).toBe(false);
    expect(continuesGroup(at(0, { senderUserId: 'rao' }), at(1))).toBe(false);
    expect(continuesGroup(at(0), at(1, { urgent: true }))).toBe(false);
    expect(continuesGroup(at(0, { verdict: 'quarantined' }), at(1))).toBe(false);
  });
  it('shows initials of the first and last names, titles left out', () => {
    expect(initialsOf('Dr Samuel Okafor')).toBe('SO');
    expect(initialsOf('Meera Nair')).toBe('MN');
    expect(initialsOf('Prof. Lena Maria Fischer')).toBe('LF');
    expect(initialsOf('Anita')).toBe('A');
    // Whole letters with their vowel signs (graphemes), not halves of them.
    expect(initialsOf('डॉ. आशा राव')).toBe('आरा');
    expect(initialsOf('')).toBe('?');
  });
});
