import { z } from 'zod';

/**
 * A release version: strictly MAJOR.MINOR.PATCH, each 0–999999 without leading zeros. No pre-release or build
 * tags, so there is exactly one order and no parser quirk a hostile manifest or hub could lean on.
 */
const pattern = /^(0|[1-9]\d{0,5})\.(0|[1-9]\d{0,5})\.(0|[1-9]\d{0,5})$/;

export const ReleaseVersion = z.string().max(20).regex(pattern, { error: 'must be a version like 1.4.2' });

export type VersionParts = readonly [number, number, number];

/** The three numbers of a strict x.y.z version, or null for anything else. */
export function parseVersion(version: string): VersionParts | null {
  const match = typeof version === 'string' && version.length <= 20 ? pattern.exec(version) : null;
  return match ? [Number(match[1]), Number(match[2]), Number(match[3])] : null;
}

/** Negative, zero or positive as `a` is older than, the same as, or newer than `b`; null if either is not x.y.z. */
export function compareVersions(a: string, b: string): number | null {
  const pa = parseVersion(a);
  const pb = parseVersion(b);
  if (!pa || !pb) return null;
  for (let i = 0; i < 3; i++) if (pa[i] !== pb[i]) return pa[i]! - pb[i]!;
  return 0;
}
