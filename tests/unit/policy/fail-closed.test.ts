// Issue 13, "policy": IT's machine policy on WARD3B-PC01 arrives damaged (a truncated push, a file that is
// not JSON, one too large or nested absurdly deep, a folder where the file should be). The user's own
// settings.json names a rogue hub and IdP. Fail closed: nothing the user's file says decides where the app
// connects; the app runs with no hub (sign-in answers not_configured) and names the damaged file for IT.
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { defaultPolicy, loadPolicy, MAX_POLICY_BYTES } from '../../../src/main/core/policy';

const dir = mkdtempSync(join(tmpdir(), 'cm-policy-fail-closed-'));
let n = 0;
function file(content: string | Buffer): string {
  const path = join(dir, `policy-${n++}.json`);
  writeFileSync(path, content);
  return path;
}

const goodMachine = JSON.stringify({
  hubUrl: 'https://hub.hospital.example/hub',
  idp: { authority: 'https://login.hospital.example/t/', clientId: 'cm', scopes: ['hub'] },
  idleLockMaxMinutes: 10,
});
const rogueUser = file(
  JSON.stringify({
    hubUrl: 'https://rogue.example/hub',
    idp: { authority: 'https://rogue.example/', clientId: 'x', scopes: ['all'] },
    gatewayUrl: 'https://rogue.example/ipfs',
    idleLockMinutes: 3,
  }),
);

const deep = (depth: number): string => `{"idp":${'['.repeat(depth)}${']'.repeat(depth)}}`;

const damaged: [story: string, machine: () => string, reason: RegExp][] = [
  [
    'truncated half way by the push',
    () => file(goodMachine.slice(0, goodMachine.length / 2)),
    /not valid JSON/,
  ],
  ['cut to 0 bytes', () => file(''), /not valid JSON/],
  ['not UTF-8 (a stray byte)', () => file(Buffer.from([0x7b, 0xff, 0x7d])), /not UTF-8/],
  ['outside the schema (http hub)', () => file(JSON.stringify({ hubUrl: 'http://hub.example' })), /https/],
  ['a JSON array, not an object', () => file('[]'), /expected object/i],
  [
    'oversized (a log pasted into it)',
    () => file(`{"hubUrl":"https://hub.example","x":"${'a'.repeat(MAX_POLICY_BYTES)}"}`),
    /larger than/,
  ],
  ['nested 100,000 levels deep', () => file(deep(100_000)), /nests deeper/],
  ['a folder where the file should be', () => mkdtempSync(join(dir, 'folder-')), /EISDIR|regular file/],
];

describe('a damaged machine policy fails closed', () => {
  it.each(damaged)(
    '%s: the user file names no hub, IdP or gateway; the damaged file is named',
    (_, make, reason) => {
      const machine = make();
      const loaded = loadPolicy({ machine, user: rogueUser });
      expect(loaded.policy.hubUrl).toBeNull();
      expect(loaded.policy.idp).toBeNull();
      expect(loaded.policy.gatewayUrl).toBeNull();
      expect(loaded.sources).toMatchObject({ hubUrl: 'default', idp: 'default', gatewayUrl: 'default' });
      // The machine-only settings are the safe defaults, not half of a damaged file.
      expect(loaded.policy.idleLockMaxMinutes).toBe(defaultPolicy.idleLockMaxMinutes);
      expect(loaded.problems.some((p) => p.file === machine && reason.test(p.message))).toBe(true);
      // IT is told which of the user's settings were set aside, and why.
      expect(
        loaded.problems
          .filter((p) => p.file === rogueUser)
          .map((p) => p.field)
          .sort(),
      ).toEqual(['gatewayUrl', 'hubUrl', 'idp']);
      // The user may still tighten (a shorter idle lock), never loosen.
      expect(loaded.policy.idleLockMinutes).toBe(3);
    },
  );

  it('a sound machine policy still wins over the same rogue user file', () => {
    const loaded = loadPolicy({ machine: file(goodMachine), user: rogueUser });
    expect(loaded.policy.hubUrl).toBe('https://hub.hospital.example/hub');
    expect(loaded.policy.idp?.authority).toBe('https://login.hospital.example/t/');
    expect(loaded.problems).toEqual([]);
  });

  it('reads a machine policy saved with a byte-order mark (Windows tools write one)', () => {
    const loaded = loadPolicy({ machine: file(`\uFEFF${goodMachine}`), user: null });
    expect(loaded.problems).toEqual([]);
    expect(loaded.policy.hubUrl).toBe('https://hub.hospital.example/hub');
  });

  it('a damaged user file alone changes nothing the machine decides', () => {
    const loaded = loadPolicy({ machine: file(goodMachine), user: file('{"hubUrl": ') });
    expect(loaded.policy.hubUrl).toBe('https://hub.hospital.example/hub');
    expect(loaded.problems).toHaveLength(1);
  });
});

describe('a policy value that is not a URL', () => {
  it('is reported against its field instead of stopping the app (found by tests/fuzz/policy-loader)', () => {
    const machine = file(JSON.stringify({ externalLinkAllowlist: ['', 'not a url'] }));
    const loaded = loadPolicy({ machine, user: null });
    expect(loaded.problems.map((p) => p.field)).toEqual(
      expect.arrayContaining(['externalLinkAllowlist.0', 'externalLinkAllowlist.1']),
    );
    expect(loaded.policy).toEqual(defaultPolicy);
  });
});
