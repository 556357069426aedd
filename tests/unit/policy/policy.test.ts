import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { defaultPolicy, loadPolicy, machinePolicyPath } from '../../../src/main/core/policy';

const dir = mkdtempSync(join(tmpdir(), 'cm-policy-'));
let n = 0;
function file(content: unknown): string {
  const path = join(dir, `policy-${n++}.json`);
  writeFileSync(path, typeof content === 'string' ? content : JSON.stringify(content));
  return path;
}
const missing = join(dir, 'does-not-exist.json');

describe('managed policy precedence', () => {
  it('uses safe defaults when no file exists', () => {
    const loaded = loadPolicy({ machine: missing, user: missing });
    expect(loaded.policy).toEqual(defaultPolicy);
    expect(loaded.problems).toEqual([]);
    expect(loaded.policy.saveToDiskAllowed).toBe(false);
    expect(Object.values(loaded.sources).every((s) => s === 'default')).toBe(true);
  });

  it('takes the machine policy over the user settings over the defaults', () => {
    const machine = file({
      hubUrl: 'https://hub.hospital.example',
      idleLockMaxMinutes: 10,
      retentionDays: 90,
    });
    const user = file({
      hubUrl: 'https://rogue.example',
      gatewayUrl: 'https://ipfs.hospital.example',
      idleLockMinutes: 3,
    });
    const { policy, sources } = loadPolicy({ machine, user });
    expect(policy.hubUrl).toBe('https://hub.hospital.example');
    expect(sources.hubUrl).toBe('machine');
    expect(policy.gatewayUrl).toBe('https://ipfs.hospital.example');
    expect(sources.gatewayUrl).toBe('user');
    expect(policy.idleLockMaxMinutes).toBe(10);
    expect(policy.idleLockMinutes).toBe(3);
    expect(sources.idleLockMinutes).toBe('user');
    expect(policy.retentionDays).toBe(90);
    expect(policy.notificationPrivacy).toBe('sender');
    expect(sources.notificationPrivacy).toBe('default');
  });

  it('never lets a user setting loosen the machine policy', () => {
    const machine = file({
      idleLockMaxMinutes: 5,
      retentionDays: 14,
      notificationPrivacy: 'hidden',
      saveToDiskAllowed: false,
    });
    const user = file({
      idleLockMinutes: 60,
      retentionDays: 365,
      notificationPrivacy: 'preview',
      saveToDiskAllowed: true,
      complianceRecipientKey: Buffer.alloc(32, 7).toString('base64'),
      externalLinkAllowlist: ['https://phish.example'],
    });
    const { policy, sources } = loadPolicy({ machine, user });
    expect(policy.idleLockMinutes).toBe(5);
    expect(sources.idleLockMinutes).toBe('machine');
    expect(policy.retentionDays).toBe(14);
    expect(policy.notificationPrivacy).toBe('hidden');
    expect(policy.saveToDiskAllowed).toBe(false);
    expect(policy.complianceRecipientKey).toBeNull();
    expect(policy.externalLinkAllowlist).toEqual([]);
  });

  it('does not let a user loosen the defaults either, but lets them tighten', () => {
    const loose = loadPolicy({
      machine: missing,
      user: file({ idleLockMinutes: 30, saveToDiskAllowed: true }),
    });
    expect(loose.policy.idleLockMinutes).toBe(defaultPolicy.idleLockMaxMinutes);
    expect(loose.policy.saveToDiskAllowed).toBe(false);
    const strict = loadPolicy({
      machine: file({ saveToDiskAllowed: true, notificationPrivacy: 'preview' }),
      user: file({ saveToDiskAllowed: false, notificationPrivacy: 'hidden', idleLockMinutes: 2 }),
    });
    expect(strict.policy.saveToDiskAllowed).toBe(false);
    expect(strict.policy.notificationPrivacy).toBe('hidden');
    expect(strict.policy.idleLockMinutes).toBe(2);
  });

  it('lets a user turn list previews off but not on, and leaves the re-notify interval to the machine', () => {
    const offByUser = loadPolicy({ machine: missing, user: file({ listPreviews: false }) });
    expect(offByUser.policy.listPreviews).toBe(false);
    expect(offByUser.sources.listPreviews).toBe('user');
    const onByUser = loadPolicy({
      machine: file({ listPreviews: false }),
      user: file({ listPreviews: true, urgentRenotifyMinutes: 30 }),
    });
    expect(onByUser.policy.listPreviews).toBe(false);
    expect(onByUser.policy.urgentRenotifyMinutes).toBe(defaultPolicy.urgentRenotifyMinutes);
    const machine = loadPolicy({ machine: file({ urgentRenotifyMinutes: 5 }), user: missing });
    expect(machine.policy.urgentRenotifyMinutes).toBe(5);
    expect(loadPolicy({ machine: file({ urgentRenotifyMinutes: 0 }), user: missing }).problems).toHaveLength(
      1,
    );
  });

  it('takes newDeviceTrust from the machine policy only ("notice" by default)', () => {
    expect(loadPolicy({ machine: missing, user: missing }).policy.newDeviceTrust).toBe('notice');
    const byUser = loadPolicy({ machine: missing, user: file({ newDeviceTrust: 'verify' }) });
    expect(byUser.policy.newDeviceTrust).toBe('notice');
    const relaxed = loadPolicy({
      machine: file({ newDeviceTrust: 'verify' }),
      user: file({ newDeviceTrust: 'notice' }),
    });
    expect(relaxed.policy.newDeviceTrust).toBe('verify');
    expect(relaxed.sources.newDeviceTrust).toBe('machine');
    expect(loadPolicy({ machine: file({ newDeviceTrust: 'trust' }), user: missing }).problems).toHaveLength(
      1,
    );
  });

  it('knows where each platform keeps the machine policy', () => {
    expect(machinePolicyPath('win32', { ProgramData: 'D:\\PD' })).toBe(
      'D:\\PD\\ClinicalMessenger\\policy.json',
    );
    expect(machinePolicyPath('darwin', {})).toBe(
      '/Library/Application Support/ClinicalMessenger/policy.json',
    );
    expect(machinePolicyPath('linux', {})).toBe('/etc/clinical-messenger/policy.json');
  });
});

describe('malformed policy files', () => {
  it('names the file and the field, and falls back to safe defaults', () => {
    const machine = file({
      hubUrl: 'http://plain-http.example',
      idleLockMaxMinutes: 10,
      saveToDiskAllowed: true,
    });
    const loaded = loadPolicy({ machine, user: missing });
    expect(loaded.problems).toEqual([
      { file: machine, field: 'hubUrl', message: expect.stringContaining('https') },
    ]);
    expect(loaded.policy).toEqual(defaultPolicy);
  });

  it('reports a misspelt setting instead of ignoring it', () => {
    const machine = file({ idleLockMaxMinutes: 10, saveToDiskAlowed: true });
    const loaded = loadPolicy({ machine, user: missing });
    expect(loaded.problems).toEqual([
      { file: machine, field: 'saveToDiskAlowed', message: 'is not a known setting' },
    ]);
    expect(loaded.policy.idleLockMaxMinutes).toBe(defaultPolicy.idleLockMaxMinutes);
  });

  it('reports nested fields, wrong types and out-of-range values', () => {
    const machine = file({
      idp: { authority: 'https://login.example/t/', clientId: '', scopes: [] },
      idleLockMaxMinutes: 0,
    });
    const fields = loadPolicy({ machine, user: missing })
      .problems.map((p) => p.field)
      .sort();
    expect(fields).toEqual(['idleLockMaxMinutes', 'idp.clientId', 'idp.scopes']);
    const badKey = file({ complianceRecipientKey: Buffer.alloc(16).toString('base64') });
    expect(loadPolicy({ machine: badKey, user: missing }).problems[0]).toMatchObject({
      field: 'complianceRecipientKey',
      message: expect.stringContaining('32-byte'),
    });
  });

  it('reports a file that is not JSON, and keeps the other file in force', () => {
    const machine = file('{ "hubUrl": "https://hub.example", ');
    const user = file({ idleLockMinutes: 2 });
    const loaded = loadPolicy({ machine, user });
    expect(loaded.problems).toHaveLength(1);
    expect(loaded.problems[0]).toMatchObject({
      file: machine,
      field: '(file)',
      message: expect.stringContaining('not valid JSON'),
    });
    expect(loaded.policy.hubUrl).toBeNull();
    expect(loaded.policy.idleLockMinutes).toBe(2);
  });

  it('reports a policy path it cannot read as a file', () => {
    const loaded = loadPolicy({ machine: dir, user: missing });
    expect(loaded.problems[0]).toMatchObject({
      file: dir,
      field: '(file)',
      message: expect.stringContaining('EISDIR'),
    });
    expect(loaded.policy).toEqual(defaultPolicy);
  });
});
