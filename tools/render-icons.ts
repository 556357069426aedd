// npm run render-icons: renders the app icon and the installer artwork from the SVGs in resources/src/
// with Debian's Chromium, into resources/ (checked in; electron-builder.yml points at them).
// electron-builder derives the Windows .ico and the macOS .icns from resources/icon.png (1024 px);
// Linux takes resources/icons/<n>x<n>.png; NSIS wants 24-bit BMPs, which Chromium cannot write, so the
// pixels come back from a canvas and are written as BMP here.
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { launchChromium } from '../tests/support/chromium';

const root = join(import.meta.dirname, '..');
const source = (name: string): string => readFileSync(join(root, 'resources/src', name), 'utf8');

interface Layer {
  svg: string;
  x: number;
  y: number;
  size: number | [number, number];
}
interface Output {
  file: string;
  width: number;
  height: number;
  layers: Layer[];
}

const icon = source('icon.svg');
const linuxIconSizes = [16, 24, 32, 48, 64, 128, 256, 512];

const outputs: Output[] = [
  { file: 'icon.png', width: 1024, height: 1024, layers: [{ svg: icon, x: 0, y: 0, size: 1024 }] },
  ...linuxIconSizes.map((n) => ({
    file: `icons/${n}x${n}.png`,
    width: n,
    height: n,
    layers: [{ svg: icon, x: 0, y: 0, size: n }],
  })),
  {
    file: 'installer-sidebar.bmp',
    width: 164,
    height: 314,
    layers: [
      { svg: source('installer-sidebar.svg'), x: 0, y: 0, size: [164, 314] },
      { svg: icon, x: 32, y: 80, size: 100 },
    ],
  },
  {
    file: 'installer-header.bmp',
    width: 150,
    height: 57,
    layers: [
      { svg: source('installer-header.svg'), x: 0, y: 0, size: [150, 57] },
      { svg: icon, x: 97, y: 4, size: 49 },
    ],
  },
  {
    file: 'dmg-background.png',
    width: 540,
    height: 380,
    layers: [{ svg: source('dmg-background.svg'), x: 0, y: 0, size: [540, 380] }],
  },
];

/** A 24-bit, bottom-up Windows bitmap from RGBA pixels, flattened onto white (NSIS ignores alpha). */
function bmp24(width: number, height: number, rgba: Uint8Array): Buffer {
  const rowSize = Math.ceil((width * 3) / 4) * 4;
  const pixelBytes = rowSize * height;
  const out = Buffer.alloc(54 + pixelBytes);
  out.write('BM', 0, 'ascii');
  out.writeUInt32LE(out.length, 2);
  out.writeUInt32LE(54, 10);
  out.writeUInt32LE(40, 14);
  out.writeInt32LE(width, 18);
  out.writeInt32LE(height, 22);
  out.writeUInt16LE(1, 26);
  out.writeUInt16LE(24, 28);
  out.writeUInt32LE(pixelBytes, 34);
  out.writeInt32LE(2835, 38); // 72 dpi
  out.writeInt32LE(2835, 42);
  for (let y = 0; y < height; y++) {
    const row = 54 + (height - 1 - y) * rowSize;
    for (let x = 0; x < width; x++) {
      const i = (y * width + x) * 4;
      const alpha = rgba[i + 3]! / 255;
      const over = (c: number): number => Math.round(c * alpha + 255 * (1 - alpha));
      out[row + x * 3] = over(rgba[i + 2]!);
      out[row + x * 3 + 1] = over(rgba[i + 1]!);
      out[row + x * 3 + 2] = over(rgba[i]!);
    }
  }
  return out;
}

async function main(): Promise<void> {
  const browser = await launchChromium();
  try {
    const page = await browser.newPage();
    for (const output of outputs) {
      const drawn = await page.evaluate(
        async ({ width, height, layers, png }): Promise<{ png: string } | { rgba: number[] }> => {
          const canvas = document.createElement('canvas');
          canvas.width = width;
          canvas.height = height;
          const context = canvas.getContext('2d')!;
          for (const layer of layers) {
            const image = new Image();
            image.src = `data:image/svg+xml;base64,${btoa(layer.svg)}`;
            await image.decode();
            const [w, h] = typeof layer.size === 'number' ? [layer.size, layer.size] : layer.size;
            context.drawImage(image, layer.x, layer.y, w, h);
          }
          if (png) return { png: canvas.toDataURL('image/png').split(',')[1]! };
          return { rgba: Array.from(context.getImageData(0, 0, width, height).data) };
        },
        { ...output, png: output.file.endsWith('.png') },
      );
      const bytes =
        'png' in drawn
          ? Buffer.from(drawn.png, 'base64')
          : bmp24(output.width, output.height, Uint8Array.from(drawn.rgba));
      const target = join(root, 'resources', output.file);
      mkdirSync(dirname(target), { recursive: true });
      writeFileSync(target, bytes);
      console.log(`resources/${output.file}: ${output.width}x${output.height}`);
    }
  } finally {
    await browser.close();
  }
}

await main();
