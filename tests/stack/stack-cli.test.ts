import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { expect, it } from 'vitest';
import { gatewayRequest, readJson } from './gateway/test-client';
import { SEEDED_USERS } from './idp';
import { ensureTestTls } from './tls';
import { HUB_PROTOCOL_VERSION } from '../../src/shared/hub-protocol';

it('`npm run stack` brings the three servers up on 127.0.0.1, prints where and the seeded logins, and stops cleanly', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'cm-stack-cli-'));
  const child = spawn(process.execPath, ['--import', 'tsx', 'tests/stack/cli.ts'], {
    env: { ...process.env, CM_STACK_DIR: dir, CM_STACK_EPHEMERAL_PORTS: '1' },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  child.stdout.on('data', (chunk: Buffer) => (out += chunk.toString()));
  const exited = new Promise<number | null>((resolve) => child.once('exit', resolve));
  await expect.poll(() => out, { timeout: 120_000, interval: 200 }).toContain('Press Ctrl-C to stop.');

  const urls = [...out.matchAll(/https:\/\/[^\s)]+/g)].map((m) => new URL(m[0]));
  expect(urls.length).toBeGreaterThanOrEqual(3);
  for (const url of urls) expect(url.hostname).toBe('127.0.0.1');
  for (const user of SEEDED_USERS) expect(out).toContain(`${user.username}`);
  for (const user of SEEDED_USERS) expect(out).toContain(user.password);

  const policy = JSON.parse(readFileSync(join(dir, 'policy.json'), 'utf8')) as {
    hubUrl: string;
    gatewayUrl: string;
    idp: { authority: string };
  };
  // The command made its own CA; trust exactly that one.
  const tls = ensureTestTls(join(dir, 'tls'));
  const get = (url: string) =>
    gatewayRequest(url, tls, { path: new URL(url).pathname + new URL(url).search, token: null });
  const discovery = await get(`${policy.idp.authority}v2.0/.well-known/openid-configuration`);
  expect(discovery.status).toBe(200);
  expect(await readJson(await get(new URL('/health', policy.hubUrl).href))).toMatchObject({
    status: 'ok',
    protocolVersion: HUB_PROTOCOL_VERSION,
  });
  expect((await get(new URL('/ipfs/bafkqaaa?format=raw', policy.gatewayUrl).href)).status).toBe(401);

  child.kill('SIGINT');
  expect(await exited).toBe(0);
  await expect(get(new URL('/health', policy.hubUrl).href)).rejects.toThrow();
});
