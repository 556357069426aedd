import { join } from 'node:path';

/** Where the preview keeps its profiles and logs: beside the stack's data, so both persist or go together. */
export const previewDataDir = (stackDir: string): string => join(stackDir, 'preview');

/** The preview's keychain entries, apart from an installed app's and from another stack folder's. */
export const previewKeychainService = (stackDir: string): string => `Clinical Messenger preview ${stackDir}`;
