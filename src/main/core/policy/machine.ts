import type { PolicyFiles } from './load';
import { machinePolicyPath } from './locations';
import { rootOwned } from './ownership';
import { readRegistryPolicy, winregReader, type RegistryReader } from './registry';

export interface MachinePolicyOptions {
  platform: NodeJS.Platform;
  env: NodeJS.ProcessEnv;
  /** A development run's own policy file (CLINICAL_MESSENGER_POLICY, unpackaged only): any owner, no registry. */
  devOverride?: string | null;
  /** Windows only; the winreg reader unless a test injects one. */
  registry?: RegistryReader;
}

/**
 * Where this workstation's machine policy comes from, and how far it is trusted: on Windows the Group
 * Policy key first, then the %ProgramData% file; on Linux and macOS the file, which must be root's alone.
 */
export async function machinePolicy(
  options: MachinePolicyOptions,
): Promise<Pick<PolicyFiles, 'machine' | 'machineOwner' | 'registry'>> {
  if (options.devOverride) return { machine: options.devOverride, machineOwner: null, registry: null };
  const machine = machinePolicyPath(options.platform, options.env);
  if (options.platform === 'win32') {
    // File ownership means little on Windows (staff may create folders in %ProgramData%): the key, which
    // only administrators can write, is the trusted channel, and wins whole when present.
    const registry = await readRegistryPolicy(options.registry ?? winregReader());
    return { machine, machineOwner: null, registry };
  }
  return { machine, machineOwner: rootOwned(), registry: null };
}
