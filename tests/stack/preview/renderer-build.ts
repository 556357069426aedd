// The preview serves the built renderer: it builds it first when out/ is missing or older than its sources.
import { spawnSync } from 'node:child_process';
import { existsSync, readdirSync, statSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { rendererRoot } from '../../support/renderer-bridge';

/** What the renderer bundle is built from (src/renderer imports src/shared; the config adds the CSP). */
const rendererSources = ['src/renderer', 'src/shared', 'electron.vite.config.ts'].map((p) => resolve(p));

function newestChange(path: string): number {
  const stat = statSync(path);
  if (!stat.isDirectory()) return stat.mtimeMs;
  return readdirSync(path).reduce((newest, entry) => Math.max(newest, newestChange(join(path, entry))), 0);
}

/** Why the renderer needs building, or null when out/ is up to date. */
export function rendererBuildReason(): string | null {
  const index = join(rendererRoot, 'index.html');
  if (!existsSync(index)) return 'out/renderer is missing';
  const built = statSync(index).mtimeMs;
  return rendererSources.some((source) => newestChange(source) > built)
    ? 'out/renderer is older than src/'
    : null;
}

export function ensureRendererBuilt(): void {
  const reason = rendererBuildReason();
  if (reason === null) return;
  console.log(`Building the app (${reason}): npx electron-vite build …`);
  const build = spawnSync('npx', ['electron-vite', 'build'], { stdio: 'inherit' });
  if (build.status !== 0)
    throw new Error(`electron-vite build failed (exit ${build.status ?? build.signal})`);
}
