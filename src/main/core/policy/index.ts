export { loadPolicy, readPolicyFile, type LoadedPolicy } from './load';
export { machinePolicyPath, userSettingsPath } from './locations';
export { mergePolicy, type PolicySources } from './merge';
export { defaultPolicy, PolicyDocument, type EffectivePolicy } from './schema';
export { summarizePolicy } from './summary';
