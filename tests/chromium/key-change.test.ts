// A colleague's key changes on the hub (here: someone with the server's files swaps in their own, correctly
// self-signed keys). The conversation warns, holds messages to the new key, shows the new safety number in
// the contact details, and sends again only once the user accepts it.
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { enrolDevice, loadDevice, signDirectoryEntry } from '../../src/main/core/keys';
import type { ContactDevice } from '../../src/shared/contract';
import { editHubDatabase, swapDeviceKeys } from '../stack/hub/hub-test-kit';
import { connected, must } from '../support/workstation';
import { checkScreen, pairOnScreen, type PairOnScreen } from './harness';

let pair: PairOnScreen;
let page: Page;
let trustedNumber: string;

beforeAll(async () => {
  pair = await pairOnScreen(async ({ ws, asha, samuel, conversationId }) => {
    await must(asha, 'messages.send', {
      conversationId,
      text: 'Handover list for tonight attached to the board',
      urgent: false,
      ackRequired: false,
      patient: null,
    });
    const { userId, deviceId, createdAt } = samuel.session.active().device;
    const [pinned] = await must<ContactDevice[]>(asha, 'keys.contactDevices', { userIds: [userId] });
    trustedNumber = pinned!.safetyNumber!;

    await enrolDevice(ws.keychain, { profileId: 'attacker', userId });
    const attacker = await loadDevice(ws.keychain, 'attacker');
    await editHubDatabase(ws.stack, (db) => {
      swapDeviceKeys(db, signDirectoryEntry({ ...attacker, deviceId, createdAt }));
    });
    await connected(asha);
  });
  page = pair.page;
}, 180_000);
afterAll(async () => pair?.close());

it('warns, refuses to send, shows the new safety number, and sends again once accepted', async () => {
  const warning = page.getByTestId('key-change-warning');
  await warning.waitFor({ timeout: 30_000 });
  expect(await warning.innerText()).toContain('The security key of Dr Samuel Okafor changed');
  await checkScreen(page, 'key-change-warning');

  await page.getByLabel('Message', { exact: true }).fill('Are you on call tonight?');
  await page.getByRole('button', { name: 'Send', exact: true }).click();
  // Refused before anything is sealed to the new key: the composer says why and keeps the text.
  const composer = page.getByRole('form', { name: 'Write a message' });
  await composer.getByRole('alert').waitFor({ timeout: 30_000 });
  expect(await composer.getByRole('alert').innerText()).toMatch(/key/i);
  expect(await page.getByLabel('Message', { exact: true }).inputValue()).toBe('Are you on call tonight?');
  expect(await page.getByRole('article').count()).toBe(1);

  await page.getByRole('button', { name: 'Check the safety number' }).click();
  const details = page.getByRole('group', { name: 'Dr Samuel Okafor' });
  expect(await details.innerText()).toContain('Key changed: messages to this device are held');
  const changedNumber = await page.getByTestId('safety-number').innerText();
  expect(changedNumber).toMatch(/^(\d{5} ){11}\d{5}$/);
  expect(changedNumber).not.toBe(trustedNumber);
  await checkScreen(page, 'key-change-details');

  await page.getByRole('button', { name: 'Accept the new key of Dr Samuel Okafor' }).click();
  await expect.poll(() => details.innerText(), { timeout: 10_000 }).toContain('Key on record');
  expect(await warning.count()).toBe(0);
  await checkScreen(page, 'key-change-accepted');

  await page.getByRole('button', { name: 'Send', exact: true }).click();
  const sent = page.getByRole('article', { name: 'Message from Dr Asha Rao' }).last();
  await expect.poll(() => sent.innerText(), { timeout: 30_000 }).toContain('Are you on call tonight?');
  await expect.poll(() => sent.innerText(), { timeout: 30_000 }).toMatch(/Sent|Delivered/);
  expect(await composer.getByRole('alert').count()).toBe(0);
});
