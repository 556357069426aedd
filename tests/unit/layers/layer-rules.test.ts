import { ESLint } from 'eslint';
import { describe, expect, it } from 'vitest';

const eslint = new ESLint({ cwd: process.cwd() });
const layerRuleIds = new Set(['no-restricted-imports', 'no-restricted-globals']);

async function layerViolations(code: string, filePath: string): Promise<string[]> {
  const [result] = await eslint.lintText(code, { filePath });
  return (result?.messages ?? []).filter((m) => m.ruleId && layerRuleIds.has(m.ruleId)).map((m) => m.message);
}

describe('layer rules', () => {
  it('hold for the whole source tree', async () => {
    const results = await eslint.lintFiles(['src']);
    const violations = results.flatMap((r) =>
      r.messages
        .filter((m) => m.ruleId && layerRuleIds.has(m.ruleId))
        .map((m) => `${r.filePath}:${m.line} ${m.message}`),
    );
    expect(results.length).toBeGreaterThan(10);
    expect(violations).toEqual([]);
  });

  it('catch core importing electron', async () => {
    const found = await layerViolations(
      "import { app } from 'electron';\nexport const v = app;\n",
      'src/main/core/violation.ts',
    );
    expect(found).toEqual([expect.stringContaining('core is plain Node')]);
  });

  it('catch core depending on the shell', async () => {
    const found = await layerViolations("export * from '../shell/window';\n", 'src/main/core/violation.ts');
    expect(found).toEqual([expect.stringContaining('outer layers')]);
  });

  it('catch the renderer importing Node built-ins, electron or main code', async () => {
    const file = 'src/renderer/src/violation.tsx';
    expect(
      await layerViolations(
        "import { readFileSync } from 'node:fs';\nexport const r = readFileSync;\n",
        file,
      ),
    ).toHaveLength(1);
    expect(await layerViolations("import fs from 'fs';\nexport const r = fs;\n", file)).toHaveLength(1);
    expect(
      await layerViolations("import { ipcRenderer } from 'electron';\nexport const r = ipcRenderer;\n", file),
    ).toHaveLength(1);
    expect(await layerViolations("export { createCore } from '../../main/core';\n", file)).toHaveLength(1);
    expect(await layerViolations('export const env = process.env;\n', file)).toEqual([
      expect.stringContaining('process'),
    ]);
  });

  it('let the renderer use the contract', async () => {
    const ok = "import type { AppInfo } from '../../shared/contract';\nexport type A = AppInfo;\n";
    expect(await layerViolations(ok, 'src/renderer/src/fine.tsx')).toEqual([]);
  });

  it('keep shared code free of process-specific imports', async () => {
    const found = await layerViolations(
      "import { ipcMain } from 'electron';\nexport const i = ipcMain;\n",
      'src/shared/violation.ts',
    );
    expect(found).toHaveLength(1);
  });
});
