// The hub's roster (docs/roster.md): GetRoster serves the seeded roles exactly as IT signed them; IT changes a
// role with POST /admin/roster and the admin token; every connection is told with RosterChanged. The hub
// keeps entries in serial order but checks no signature: that is every client's job.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { verifyRosterEntry, type SignedRosterEntry } from '../../../src/main/core/roles/signed-roster';
import { HubEvent, HubMethod } from '../../../src/shared/hub-protocol';
import {
  call,
  connect,
  deviceSession,
  nextEvent,
  refusal,
  startStack,
  userId,
  type Stack,
} from './hub-test-kit';
import { postRosterEntry } from './roster-admin';
import { signWithTestItKey, testItKey } from './roster-seed';

let stack: Stack;
let itPublicKey: string;

beforeAll(async () => {
  stack = await startStack();
  itPublicKey = (await testItKey()).publicKey;
}, 180_000);
afterAll(async () => stack?.close());

const roster = async (username = 'dr.asha.rao') => {
  const connection = await connect(stack.hub.url, await stack.token(username));
  try {
    return (await call(connection, HubMethod.GetRoster, {})).entries as SignedRosterEntry[];
  } finally {
    await connection.stop();
  }
};
const role = async (roleId: string) => (await roster()).find((e) => e.roleId === roleId)!;

describe('GetRoster', () => {
  it('serves the seeded roles, each verifying against the test IT key, even before a device session', async () => {
    const entries = await roster();
    expect(entries.map((e) => e.name)).toEqual([
      'Cardiology on call',
      'OPD desk 2',
      'Radiology registrar on call',
      'Ward 3B nurse in charge',
    ]);
    const cardiology = entries[0]!;
    expect(cardiology.holders).toEqual([userId(stack, 'dr.asha.rao')]);
    expect(cardiology.backup).toBe(userId(stack, 'dr.samuel.okafor'));
    for (const entry of entries)
      expect(await verifyRosterEntry(entry, [itPublicKey])).toMatchObject({ valid: true });
  });

  it('refuses an argument that is not an object', async () => {
    const connection = await connect(stack.hub.url, await stack.token('dr.asha.rao'));
    try {
      expect(await refusal(connection, HubMethod.GetRoster, 'all')).toBe('invalid');
    } finally {
      await connection.stop();
    }
  });
});

describe('POST /admin/roster', () => {
  it('IT hands Cardiology on call to Dr Okafor: stored, served, and RosterChanged reaches a connected ward PC', async () => {
    const ward = await deviceSession(stack, 'dr.asha.rao');
    try {
      const before = await role('cardiology-on-call');
      const change = await signWithTestItKey({
        ...before,
        holders: [userId(stack, 'dr.samuel.okafor')],
        backup: userId(stack, 'dr.asha.rao'),
        serial: before.serial + 1,
        signedAt: new Date().toISOString(),
      });
      const told = nextEvent(
        ward.connection,
        HubEvent.RosterChanged,
        (e) => e.roleId === 'cardiology-on-call',
      );
      expect(await postRosterEntry(stack, change)).toMatchObject({ status: 200, json: { created: true } });
      expect(await told).toMatchObject({ roleId: 'cardiology-on-call', serial: before.serial + 1 });
      expect(await role('cardiology-on-call')).toEqual(change);
      // The same entry again changes nothing.
      expect(await postRosterEntry(stack, change)).toMatchObject({ status: 200, json: { created: false } });
    } finally {
      await ward.connection.stop();
    }
  });

  it('refuses an older serial, a missing admin token and a user access token, and keeps the newer entry', async () => {
    const current = await role('opd-desk-2');
    const newer = await signWithTestItKey({
      ...current,
      serial: current.serial + 5,
      signedAt: new Date().toISOString(),
    });
    expect((await postRosterEntry(stack, newer)).status).toBe(200);
    const older = await signWithTestItKey({
      ...current,
      holders: [],
      serial: current.serial + 1,
      signedAt: new Date().toISOString(),
    });
    expect(await postRosterEntry(stack, older)).toMatchObject({ status: 409, json: { code: 'conflict' } });
    expect(await postRosterEntry(stack, older, null)).toMatchObject({
      status: 401,
      json: { code: 'unauthenticated' },
    });
    expect((await postRosterEntry(stack, older, await stack.token('dr.asha.rao'))).status).toBe(401);
    expect(await role('opd-desk-2')).toEqual(newer);
  });

  it('refuses malformed entries (no signature, a bad holder, too many holders) with invalid', async () => {
    const current = await role('radiology-registrar-on-call');
    const fresh = { ...current, serial: current.serial + 1 };
    const { signature: _dropped, ...unsigned } = fresh;
    expect(await postRosterEntry(stack, unsigned)).toMatchObject({ status: 400, json: { code: 'invalid' } });
    expect(await postRosterEntry(stack, { ...fresh, holders: ['dr rao; drop table'] })).toMatchObject({
      status: 400,
    });
    expect(
      await postRosterEntry(stack, { ...fresh, holders: Array.from({ length: 17 }, (_, i) => `user-${i}`) }),
    ).toMatchObject({ status: 400 });
    expect(await postRosterEntry(stack, 'not json')).toMatchObject({ status: 400 });
    expect(await role('radiology-registrar-on-call')).toEqual(current);
  });

  it('stores an entry whatever its signature says: the hub cannot tell, the clients refuse it', async () => {
    const current = await role('radiology-registrar-on-call');
    const forged = { ...current, holders: [userId(stack, 'opd.meera.nair')], serial: current.serial + 1 };
    expect((await postRosterEntry(stack, forged)).status).toBe(200);
    expect(await verifyRosterEntry(await role('radiology-registrar-on-call'), [itPublicKey])).toMatchObject({
      valid: false,
      reason: 'signature-invalid',
    });
  });
});
