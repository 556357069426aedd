export declare const allowedEntitlements: string[];
export declare const linuxIconSizes: number[];
export declare function targetsOf(section: unknown): string[];
export declare function imageSize(
  bytes: Buffer,
): { format: 'png' | 'bmp'; width: number; height: number; bitsPerPixel?: number } | null;
export declare function packagingProblems(config: Record<string, unknown>, root: string): string[];
