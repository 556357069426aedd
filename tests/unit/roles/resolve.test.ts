// Who a message to a role goes to, from IT's verified entry and the holders' availability (docs/roster.md):
// only available holders, never the sender, never anyone else; nobody available means nothing is sent.
import { describe, expect, it } from 'vitest';
import { everyoneAvailable, resolveRole, type AvailabilityLookup } from '../../../src/main/core/roles';
import type { SignedRosterEntry } from '../../../src/main/core/roles';

const entry = (holders: string[], backup: string | null = 'okafor'): SignedRosterEntry => ({
  roleId: 'cardiology-on-call',
  name: 'Cardiology on call',
  holders,
  backup,
  serial: 3,
  signedAt: '2026-12-03T07:00:00.000Z',
  signature: '',
});

/** Dr Rao in theatre; everyone else's status unknown. */
const raoInTheatre: AvailabilityLookup = (ids) =>
  Promise.resolve(
    new Map(
      ids.map((id) => [
        id,
        id === 'rao' ? { available: false, status: 'in_theatre' } : { available: true, status: null },
      ]),
    ),
  );

describe('resolving a role', () => {
  it('goes to every available holder, in the roster order', async () => {
    expect(await resolveRole(entry(['rao', 'fischer']), 'nair', everyoneAvailable)).toEqual({
      status: 'staffed',
      holders: [
        { userId: 'rao', status: null },
        { userId: 'fischer', status: null },
      ],
      unavailable: [],
      backup: { userId: 'okafor', status: null },
    });
  });

  it('leaves out a holder in theatre, and names her', async () => {
    expect(await resolveRole(entry(['rao', 'fischer']), 'nair', raoInTheatre)).toMatchObject({
      status: 'staffed',
      holders: [{ userId: 'fischer' }],
      unavailable: [{ userId: 'rao', status: 'in_theatre' }],
    });
  });

  it('is unstaffed, with the backup offered, when the only holder is in theatre', async () => {
    expect(await resolveRole(entry(['rao']), 'nair', raoInTheatre)).toEqual({
      status: 'unstaffed',
      holders: [],
      unavailable: [{ userId: 'rao', status: 'in_theatre' }],
      backup: { userId: 'okafor', status: null },
    });
  });

  it('is unstaffed when nobody holds the role, and when the sender is its only holder', async () => {
    expect(await resolveRole(entry([]), 'nair', everyoneAvailable)).toMatchObject({ status: 'unstaffed' });
    expect(await resolveRole(entry(['nair']), 'nair', everyoneAvailable)).toMatchObject({
      status: 'unstaffed',
      unavailable: [],
      backup: { userId: 'okafor' },
    });
  });

  it('never offers the sender herself as the backup, and asks availability of nobody when there is nobody', async () => {
    expect(await resolveRole(entry([], 'nair'), 'nair', everyoneAvailable)).toMatchObject({ backup: null });
    const asked: string[][] = [];
    await resolveRole(entry([], null), 'nair', (ids) => {
      asked.push([...ids]);
      return everyoneAvailable(ids);
    });
    expect(asked).toEqual([]);
  });
});
