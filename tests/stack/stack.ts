// The three reference servers together, wired to each other: the hub trusts the IdP's tokens and knows
// its seeded staff; the app gets one policy document naming all three.
import { randomBytes } from 'node:crypto';
import { join } from 'node:path';
import type { PolicyDocument } from '../../src/main/core/policy';
import { startGateway, type RunningGateway } from './gateway';
import { startHub, type RunningHub } from './hub';
import { startIdp, type RunningIdp } from './idp';
import { startKeyService, type RunningKeyService } from './key-service';
import { ensureTestTls, type TestTls } from './tls';

export interface StackOptions {
  dataDir: string;
  ports?: { idp?: number; hub?: number; gateway?: number; keyService?: number };
  /** Fault switches on the gateway; only tests ask for them. */
  faults?: boolean;
  accessTokenTtlSeconds?: number;
}

export interface Stack {
  tls: TestTls;
  idp: RunningIdp;
  hub: RunningHub;
  gateway: RunningGateway;
  keyService: RunningKeyService;
  /** The machine policy that points the app at this stack. */
  policy: PolicyDocument;
  close(): Promise<void>;
}

export async function startStack(options: StackOptions): Promise<Stack> {
  const tls = ensureTestTls(join(options.dataDir, 'tls'));
  const started: { close(): Promise<void> }[] = [];
  try {
    const idp = await startIdp({
      tls,
      dataDir: join(options.dataDir, 'idp'),
      port: options.ports?.idp ?? 0,
      ...(options.accessTokenTtlSeconds ? { accessTokenTtlSeconds: options.accessTokenTtlSeconds } : {}),
    });
    started.push(idp);
    const hub = await startHub({
      tls,
      dataDir: join(options.dataDir, 'hub'),
      issuer: idp.issuer,
      audience: idp.hubAudience,
      directory: idp.users,
      port: options.ports?.hub ?? 0,
    });
    started.push(hub);
    const gateway = await startGateway({
      tls,
      dataDir: join(options.dataDir, 'gateway'),
      token: randomBytes(24).toString('base64url'),
      port: options.ports?.gateway ?? 0,
      faults: options.faults ?? false,
      trustedIssuer: { issuer: idp.issuer, audience: idp.hubAudience, jwksUri: idp.jwksUri, ca: tls.ca },
    });
    started.push(gateway);
    const keyService = await startKeyService({
      tls,
      dataDir: join(options.dataDir, 'key-service'),
      issuer: idp.issuer,
      audience: idp.hubAudience,
      jwksUri: idp.jwksUri,
      port: options.ports?.keyService ?? 0,
    });
    started.push(keyService);
    const policy: PolicyDocument = {
      hubUrl: hub.url,
      idp: {
        authority: idp.authority,
        clientId: idp.clientId,
        scopes: [idp.hubScope],
        knownAuthorities: [new URL(idp.origin).host],
      },
      gatewayUrl: gateway.url,
      keyService: {
        url: keyService.url,
        releasePublicKey: keyService.releasePublicKey,
        signingPublicKey: keyService.signingPublicKey,
      },
    };
    return {
      tls,
      idp,
      hub,
      gateway,
      keyService,
      policy,
      close: () => closeAll(started),
    };
  } catch (error) {
    await closeAll(started);
    throw error;
  }
}

async function closeAll(servers: { close(): Promise<void> }[]): Promise<void> {
  for (const server of servers.reverse()) await server.close();
}
