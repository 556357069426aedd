// The viewer's copy of an image still being verified: bytes kept only in file order from the first, and
// dropped when the open starts over from the gateway (docs/progressive-view.md).
import { expect, it } from 'vitest';
import { PreviewBytes } from '../../../src/renderer/src/workspace/document/preview';

const bytes = (...values: number[]) => new Uint8Array(values);
const contents = async (held: PreviewBytes) => new Uint8Array(await held.blob('image/png').arrayBuffer());

it('keeps the next bytes in order, and nothing out of place or empty', async () => {
  const held = new PreviewBytes();
  expect(held.add(0, bytes(1, 2))).toBe(true);
  expect(held.add(2, bytes(3))).toBe(true);
  expect(held.add(5, bytes(9))).toBe(false); // a gap
  expect(held.add(1, bytes(7))).toBe(false); // an overlap
  expect(held.add(3, bytes())).toBe(false);
  expect(held.length).toBe(3);
  expect(await contents(held)).toEqual(bytes(1, 2, 3));
  expect(held.blob('image/png').type).toBe('image/png');
});

it('starts again from the first byte when the open started over', async () => {
  const held = new PreviewBytes();
  held.add(0, bytes(1, 2, 3));
  expect(held.add(0, bytes(4))).toBe(true);
  expect(held.length).toBe(1);
  expect(await contents(held)).toEqual(bytes(4));
});
