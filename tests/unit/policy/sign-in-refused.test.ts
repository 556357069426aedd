// Issue 16, fail closed: Dr Asha Rao opens Clinical Messenger on WARD3B-PC01 the morning after a bad policy
// push. Sign-in stops with policy_invalid, through the real contract and dispatcher, and the message names the
// file, the field and the fix; nothing opens a browser or reaches a hub. The app info tells the renderer the
// machine policy is refused, so the sign-in screen can say so before anyone tries.
import { chmodSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { AppInfo } from '../../../src/shared/contract';
import { rootOwned, systemStat, type PolicyFiles } from '../../../src/main/core/policy';
import { coreForTest } from '../../support/core';

const dir = mkdtempSync(join(tmpdir(), 'cm-policy-refused-'));
chmodSync(dir, 0o755);
let n = 0;
const file = (content: string, mode = 0o644): string => {
  const path = join(dir, `policy-${n++}.json`);
  writeFileSync(path, content);
  chmodSync(path, mode);
  return path;
};
const rogueUser = file(
  JSON.stringify({
    hubUrl: 'https://rogue.example/hub',
    idp: { authority: 'https://rogue.example/', clientId: 'x', scopes: ['all'] },
  }),
);

async function signInWith(policyFiles: PolicyFiles) {
  const core = coreForTest({ policyFiles });
  const signIn = await core.dispatcher.dispatch('session.signIn', {});
  const again = await core.dispatcher.dispatch('session.signIn', {
    profileId: '6f1c2a3e-5b7d-4e8f-9a0b-1c2d3e4f5a6b',
  });
  const info = (await core.dispatcher.dispatch('app.info', undefined)) as { ok: true; value: AppInfo };
  await core.close();
  return { signIn, again, info: info.value };
}

describe('a refused machine policy stops sign-in', () => {
  it('a malformed field: policy_invalid names the file, the field and the fix', async () => {
    const machine = file(JSON.stringify({ hubUrl: 'http://hub.hospital.example', idleLockMaxMinutes: 10 }));
    const { signIn, again, info } = await signInWith({ machine, user: rogueUser });
    expect(signIn).toEqual({
      ok: false,
      error: { code: 'policy_invalid', message: expect.stringContaining(machine) },
    });
    if (signIn.ok) return;
    expect(signIn.error.message).toContain('"hubUrl" must be an https:// URL');
    expect(signIn.error.message).toContain('IT must correct "hubUrl" and push the policy again');
    // A profile already on the computer does not resume either.
    expect(again).toMatchObject({ ok: false, error: { code: 'policy_invalid' } });
    expect(info.policy.machine).toEqual({ source: machine, status: 'refused' });
    // The user's file did not step in.
    expect(info.policy.hubUrl).toBeNull();
    expect(info.policy.idpAuthority).toBeNull();
  });

  it('a file that is not JSON: the message says the file cannot be used and what IT must do', async () => {
    const machine = file('{"hubUrl": "https://hub.hospital.example",');
    const { signIn } = await signInWith({ machine, user: null });
    expect(signIn).toMatchObject({ ok: false, error: { code: 'policy_invalid' } });
    if (signIn.ok) return;
    expect(signIn.error.message).toMatch(/the file is not valid JSON/);
    expect(signIn.error.message).toContain(
      'IT must replace it with a valid policy (on Linux and macOS, owned by root)',
    );
  });

  it('a world-writable file on Linux: refused with the chmod that fixes it', async () => {
    const machine = file(JSON.stringify({ hubUrl: 'https://hub.hospital.example' }), 0o666);
    const { signIn, info } = await signInWith({
      machine,
      user: rogueUser,
      machineOwner: rootOwned(systemStat, process.getuid?.() ?? 0),
    });
    expect(signIn).toMatchObject({ ok: false, error: { code: 'policy_invalid' } });
    if (signIn.ok) return;
    expect(signIn.error.message).toMatch(/mode 0666.*sudo chmod 644/);
    expect(info.policy.problems).toContainEqual({
      file: machine,
      field: '(file)',
      message: expect.stringContaining('other than root'),
    });
  });

  it('no machine policy at all is not a policy error: sign-in is simply not configured', async () => {
    const { signIn, info } = await signInWith({ machine: join(dir, 'absent.json'), user: null });
    expect(signIn).toMatchObject({ ok: false, error: { code: 'not_configured' } });
    expect(info.policy.machine).toEqual({ source: null, status: 'absent' });
  });
});
