// The update settings are IT's: a user's settings.json cannot point WARD3B-PC01 at another update server,
// another channel, or make it trust another signing key.
import { describe, expect, it } from 'vitest';
import { defaultPolicy, mergePolicy, PolicyDocument } from '../../../src/main/core/policy';
import { generateAdminKeyPair } from '../../../src/main/core/revocation';

describe('update policy', () => {
  it('defaults to notify, stable, no server and no extra key', () => {
    expect(defaultPolicy).toMatchObject({
      updates: 'notify',
      updateUrl: null,
      updateChannel: 'stable',
      updateSigningKeys: [],
    });
  });

  it('comes from the machine policy only', async () => {
    const itKey = (await generateAdminKeyPair()).publicKey;
    const userKey = (await generateAdminKeyPair()).publicKey;
    const machine = {
      updates: 'off' as const,
      updateUrl: 'https://updates.hospital.example/cm',
      updateChannel: 'stable',
      updateSigningKeys: [itKey],
    };
    const user = {
      updates: 'auto' as const,
      updateUrl: 'https://updates.attacker.example',
      updateChannel: 'beta',
      updateSigningKeys: [userKey],
    };
    expect(mergePolicy(machine, user).policy).toMatchObject(machine);
    // Where the machine policy is silent, the user still cannot set them: the defaults apply.
    expect(mergePolicy({}, user).policy).toMatchObject({
      updates: 'notify',
      updateUrl: null,
      updateChannel: 'stable',
      updateSigningKeys: [],
    });
  });

  it('refuses a plain-http server, a bad channel name and a key that is not 32 bytes', () => {
    for (const bad of [
      { updateUrl: 'http://updates.hospital.example' },
      { updateChannel: 'Stable/../x' },
      { updateSigningKeys: ['AAAA'] },
      { updates: 'sometimes' },
    ])
      expect(PolicyDocument.safeParse(bad).success).toBe(false);
  });
});
