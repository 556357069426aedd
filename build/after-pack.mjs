// electron-builder afterPack hook: set the fuses in the binary that was just laid out.
import { join } from 'node:path';
import { applyFuses } from './fuses.mjs';

export default async function afterPack(context) {
  const platform = context.electronPlatformName;
  const name = context.packager.appInfo.productFilename;
  const executable =
    platform === 'darwin'
      ? join(context.appOutDir, `${name}.app`)
      : platform === 'win32'
        ? join(context.appOutDir, `${name}.exe`)
        : join(context.appOutDir, context.packager.executableName);
  // arm64 macOS refuses to run a binary whose ad-hoc signature no longer matches.
  await applyFuses(executable, { resetAdHocDarwinSignature: platform === 'darwin' && context.arch === 3 });
}
