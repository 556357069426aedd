export declare function whyNotBuildableHere(target: string, platform?: NodeJS.Platform): string | null;
export declare function downloadNeeded(target: string, env?: NodeJS.ProcessEnv): string | null;
