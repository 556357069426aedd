// Issue 15: one dialog implementation in the renderer. Every modal (the quick switcher, the shortcut sheet, the
// document viewer) is Radix's Dialog, which keeps Tab inside, closes on Esc and hides the rest of the window
// from screen readers; a hand-written <dialog> beside it would behave differently for the same keys.
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import { expect, it } from 'vitest';

const root = join(__dirname, '../../../src/renderer/src');
const sources = (dir: string): string[] =>
  readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    if (statSync(path).isDirectory()) return sources(path);
    return /\.tsx?$/.test(name) ? [path] : [];
  });
const using = (pattern: RegExp) =>
  sources(root)
    .filter((file) => pattern.test(readFileSync(file, 'utf8')))
    .map((file) => relative(root, file))
    .sort();

it('opens every modal through Radix Dialog, and none on a <dialog> of its own', () => {
  expect(using(/<dialog[\s>]|\.showModal\(/)).toEqual([]);
  expect(using(/from '@radix-ui\/react-dialog'/)).toEqual(['components/Modal.tsx']);
});
