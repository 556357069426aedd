export {
  loadPolicy,
  MAX_POLICY_BYTES,
  MAX_POLICY_DEPTH,
  readPolicyFile,
  type LoadedPolicy,
  type MachinePolicyState,
  type PolicyFiles,
} from './load';
export { machinePolicy } from './machine';
export { rootOwned, systemStat, type OwnerCheck, type OwnershipStat } from './ownership';
export { POLICY_KEY, readRegistryPolicy, type RegistryPolicy, type RegistryReader } from './registry';
export { machinePolicyPath, userSettingsPath } from './locations';
export { mergePolicy, type PolicySources } from './merge';
export { defaultPolicy, PolicyDocument, type EffectivePolicy } from './schema';
export { summarizePolicy } from './summary';
