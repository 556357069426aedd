// Issue 13, "policy": whatever IT's push leaves in WARD3B-PC01's machine policy (random bytes, a real policy
// truncated, bytes flipped, fields swapped for junk, deep nesting) and whatever the user's settings.json says,
// the loader never throws, never lets the user's file loosen the hospital's settings, and, once the machine file
// is damaged, never lets the user's file say where the app connects (hub, IdP, gateway).
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import fc from 'fast-check';
import { afterAll, describe, expect, it } from 'vitest';
import { loadPolicy, PolicyDocument } from '../../src/main/core/policy';
import { createTally, scale } from './support/tally';
import { shapedLike } from './support/zod-arbitrary';

const RUNS = scale(400, 10_000);
const SEED = Number(process.env.FUZZ_SEED ?? 1313);
const tally = createTally('policy-loader');
afterAll(() => tally.print());

const dir = mkdtempSync(join(tmpdir(), 'cm-policy-fuzz-'));
const write = (name: string, content: string | Uint8Array): string => {
  const file = join(dir, name);
  writeFileSync(file, content);
  return file;
};

const key = Buffer.alloc(32, 9).toString('base64');
const realMachine = JSON.stringify({
  hubUrl: 'https://hub.hospital.example/hub',
  idp: { authority: 'https://login.hospital.example/t/', clientId: 'cm', scopes: ['hub'] },
  gatewayUrl: 'https://ipfs.hospital.example',
  idleLockMaxMinutes: 10,
  retentionDays: 60,
  notificationPrivacy: 'sender',
  saveToDiskAllowed: false,
  listPreviews: false,
  adminSigningKeys: [key],
});
const rogueUser = JSON.stringify({
  hubUrl: 'https://rogue.example/hub',
  idp: { authority: 'https://rogue.example/', clientId: 'x', scopes: ['all'] },
  gatewayUrl: 'https://rogue.example/ipfs',
  idleLockMinutes: 240,
  retentionDays: 3650,
  notificationPrivacy: 'preview',
  saveToDiskAllowed: true,
  listPreviews: true,
  adminSigningKeys: [Buffer.alloc(32, 1).toString('base64')],
  keyService: { url: 'https://rogue.example/keys', releasePublicKey: key, signingPublicKey: key },
});

const bytesOf = (text: string) => new TextEncoder().encode(text);
/** A damaged or hostile file: random, a real one cut or flipped, shaped like a policy but wrong, deeply nested. */
const policyFile = fc.oneof(
  fc.uint8Array({ maxLength: 2048 }),
  fc.nat().map((n) => bytesOf(realMachine).slice(0, n % realMachine.length)),
  fc
    .array(fc.tuple(fc.nat(), fc.integer({ min: 1, max: 255 })), { minLength: 1, maxLength: 6 })
    .map((flips) => {
      const out = bytesOf(realMachine);
      for (const [at, x] of flips) out[at % out.length]! ^= x;
      return out;
    }),
  shapedLike(PolicyDocument).map((doc) => bytesOf(JSON.stringify(doc))),
  fc.json().map(bytesOf),
  fc.nat({ max: 50_000 }).map((d) => bytesOf(`{"idp":${'['.repeat(d)}${']'.repeat(d)}}`)),
);

describe('the policy loader, with any machine file beside a rogue user file', () => {
  it('never throws, never loosens, and fails closed on a damaged machine file', () => {
    const counts = tally.get('policy: machine file (random/mutated) + rogue user file');
    const user = write('user.json', rogueUser);
    fc.assert(
      fc.property(policyFile, (content) => {
        counts.inputs++;
        const machine = write('machine.json', content);
        let loaded: ReturnType<typeof loadPolicy>;
        try {
          loaded = loadPolicy({ machine, user });
        } catch (error) {
          counts.crashes++;
          throw error;
        }
        const { policy, sources, problems } = loaded;
        const machineDamaged = problems.some((p) => p.file === machine);
        if (machineDamaged) {
          counts.refused++;
          expect([sources.hubUrl, sources.idp, sources.gatewayUrl]).toEqual([
            'default',
            'default',
            'default',
          ]);
        }
        // The user's file never names the hub, IdP or gateway over a machine file that was read.
        for (const field of ['hubUrl', 'idp', 'gatewayUrl'] as const) {
          if (sources[field] === 'user') expect(machineDamaged).toBe(false);
        }
        // Never loosened, whatever the machine file said.
        expect(policy.idleLockMinutes).toBeLessThanOrEqual(policy.idleLockMaxMinutes);
        for (const field of [
          'keyService',
          'adminSigningKeys',
          'retentionDays',
          'urgentRenotifyMinutes',
        ] as const)
          expect(sources[field]).not.toBe('user');
        if (sources.saveToDiskAllowed === 'user') expect(policy.saveToDiskAllowed).toBe(false);
        if (sources.listPreviews === 'user') expect(policy.listPreviews).toBe(false);
        expect(policy.notificationPrivacy).not.toBe(sources.notificationPrivacy === 'user' ? 'preview' : '-');
      }),
      { numRuns: RUNS, seed: SEED },
    );
  });
});
