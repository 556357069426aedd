/** electron-builder.yml as electron-builder loads it (no schema check: that takes seconds). */
export declare function loadConfig(root: string): Promise<Record<string, unknown>>;
/** The same, then electron-builder's schema check; throws naming each option that does not match it. */
export declare function loadValidatedConfig(root: string): Promise<Record<string, unknown>>;
