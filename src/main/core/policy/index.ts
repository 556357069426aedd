export { loadPolicy, MAX_POLICY_BYTES, MAX_POLICY_DEPTH, readPolicyFile, type LoadedPolicy } from './load';
export { machinePolicyPath, userSettingsPath } from './locations';
export { mergePolicy, type PolicySources } from './merge';
export { defaultPolicy, PolicyDocument, type EffectivePolicy } from './schema';
export { summarizePolicy } from './summary';
