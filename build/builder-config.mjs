// electron-builder.yml loaded, and schema-checked, by electron-builder's own code, as `electron-builder` does.
import { createRequire } from 'node:module';
import { join } from 'node:path';

const builderLib = (root) => createRequire(join(root, 'package.json'));

export function loadConfig(root) {
  return builderLib(root)('app-builder-lib/out/util/config/config.js').getConfig(root, null, null);
}

export async function loadValidatedConfig(root) {
  const require = builderLib(root);
  const { validateConfiguration } = require('app-builder-lib/out/util/config/config.js');
  const { DebugLogger } = require('builder-util');
  const config = await loadConfig(root);
  await validateConfiguration(config, new DebugLogger(false));
  return config;
}
