// `npm run stack`: the reference servers on 127.0.0.1 with fixed ports and persistent data, until Ctrl-C.
import { mkdirSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import type { SeededUser } from './idp';
import { startStack, type Stack } from './stack';

export const stackDataDir = resolve(process.env.CM_STACK_DIR ?? '.stack-data');
export const stackPolicyPath = join(stackDataDir, 'policy.json');

export async function runStack(): Promise<Stack> {
  mkdirSync(stackDataDir, { recursive: true });
  // Fixed ports for people; CM_STACK_EPHEMERAL_PORTS=1 lets a test run the command beside other servers.
  const ports = process.env.CM_STACK_EPHEMERAL_PORTS
    ? {}
    : { idp: 7444, hub: 7443, gateway: 7445, keyService: 7446 };
  const stack = await startStack({ dataDir: stackDataDir, ports });
  writeFileSync(stackPolicyPath, JSON.stringify(stack.policy, null, 2));
  const lines = [
    'Clinical Messenger reference servers (127.0.0.1 only)',
    `  identity provider  ${stack.idp.origin}  (authority ${stack.idp.authority})`,
    `  SignalR hub        ${stack.hub.url}`,
    `  hub admin token    ${stack.hub.adminTokenFile}  (npm run admin -- revoke --admin-token-file …)`,
    `  IPFS gateway       ${stack.gateway.url}`,
    `  key service        ${stack.keyService.url}`,
    `  test CA            ${stack.tls.caCertPath}`,
    `  app policy         ${stackPolicyPath}`,
    '',
    ...seededStaffLines(stack.idp.users),
  ];
  console.log(lines.join('\n'));
  return stack;
}

/** The seeded staff and their test-only passwords, one line each, under a heading. */
export function seededStaffLines(users: readonly SeededUser[]): string[] {
  return [
    'Seeded staff (test-only passwords):',
    ...users.map(
      (u) =>
        `  ${u.username.padEnd(20)} ${u.password.padEnd(16)} ${u.displayName} · ${u.roles.join(', ')} · ${u.department}`,
    ),
  ];
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const stack = await runStack();
  console.log('\nPress Ctrl-C to stop.');
  const stop = async (): Promise<void> => {
    await stack.close();
    process.exit(0);
  };
  process.once('SIGINT', () => void stop());
  process.once('SIGTERM', () => void stop());
}
