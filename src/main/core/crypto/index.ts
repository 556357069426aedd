export { sodium, type Sodium } from './sodium';
export { randomBytes, constantTimeEqual } from './random';
export { toBase64, fromBase64, utf8, lengthPrefixed } from './encoding';
export { deriveKey } from './subkey';
export { signDetached, pinnedKeyThatSigned } from './pinned-signature';
