// IT's tool for remote wipe (docs/remote-wipe.md):
//   npm run admin -- keygen --out <key-file>
//       makes an IT signing key pair (Ed25519); prints the public key for the machine policy's adminSigningKeys.
//   npm run admin -- revoke --user <userId> --device <deviceId> --key <key-file> --hub <url>
//                          --admin-token-file <file> [--ca-file <pem>]
//       signs a revocation of that device and submits it to the hub (POST /admin/revocations); the workstation
//       verifies the signature against its policy and wipes the profile.
//   npm run admin -- pubkey --key <key-file>
//       prints the public key of a key file.
// The admin token may come from the environment variable CM_ADMIN_TOKEN instead of a file.
// Exit code 0 on success, 1 when the hub refused or could not be reached, 2 on bad input.
import { readFileSync, writeFileSync } from 'node:fs';
import { request } from 'node:https';
import { pathToFileURL } from 'node:url';
import { parseArgs } from 'node:util';
import { z } from 'zod';
import { fromBase64 } from '../src/main/core/crypto';
import { generateAdminKeyPair, signRevocation, type SignedRevocation } from '../src/main/core/revocation';

/** The key file `keygen` writes (mode 0600): keep it offline, with whoever may wipe workstations. */
const AdminKeyFile = z.strictObject({
  v: z.literal(1),
  kind: z.literal('clinical-messenger/admin-signing-key'),
  /** Ed25519 public key, 32 bytes, standard base64: what the policy pins. */
  publicKey: z.string().refine((v) => fromBase64(v, 32) !== null, 'must be a 32-byte key in base64'),
  /** libsodium's Ed25519 secret key, 64 bytes (seed ‖ public key), standard base64. */
  secretKey: z.string().refine((v) => fromBase64(v, 64) !== null, 'must be a 64-byte key in base64'),
});
type AdminKeyFile = z.infer<typeof AdminKeyFile>;

const identifier = /^[A-Za-z0-9._:-]{1,128}$/;

export interface AdminIo {
  out(line: string): void;
  err(line: string): void;
  env: Record<string, string | undefined>;
}

const processIo: AdminIo = {
  out: (line) => console.log(line),
  err: (line) => console.error(line),
  env: process.env,
};

class UsageError extends Error {}

const usage = [
  'usage:',
  '  npm run admin -- keygen --out <key-file>',
  '  npm run admin -- pubkey --key <key-file>',
  '  npm run admin -- revoke --user <userId> --device <deviceId> --key <key-file> --hub <url>',
  '                          --admin-token-file <file> [--ca-file <pem>]',
  '  (or the admin token in CM_ADMIN_TOKEN instead of --admin-token-file)',
].join('\n');

function readKeyFile(file: string): AdminKeyFile {
  let json: unknown;
  try {
    json = JSON.parse(readFileSync(file, 'utf8'));
  } catch (error) {
    throw new UsageError(`${file} cannot be read as a key file: ${(error as Error).message.split('\n')[0]}`);
  }
  const parsed = AdminKeyFile.safeParse(json);
  if (!parsed.success) {
    const issue = parsed.error.issues[0]!;
    throw new UsageError(
      `${file} is not an IT signing key file: ${issue.path.join('.') || '(root)'} ${issue.message}`,
    );
  }
  // libsodium's secret key ends with its public key: a file whose halves disagree was edited or mixed up.
  const secret = fromBase64(parsed.data.secretKey, 64)!;
  if (
    Buffer.compare(Buffer.from(secret.subarray(32)), Buffer.from(fromBase64(parsed.data.publicKey, 32)!)) !==
    0
  ) {
    throw new UsageError(
      `${file} is not an IT signing key file: its public key does not match its secret key`,
    );
  }
  return parsed.data;
}

async function keygen(out: string, io: AdminIo): Promise<number> {
  const pair = await generateAdminKeyPair();
  const file: AdminKeyFile = {
    v: 1,
    kind: 'clinical-messenger/admin-signing-key',
    publicKey: pair.publicKey,
    secretKey: pair.secretKey,
  };
  try {
    writeFileSync(out, JSON.stringify(file, null, 2) + '\n', { mode: 0o600, flag: 'wx' });
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    throw new UsageError(
      code === 'EEXIST'
        ? `${out} already exists; it was not overwritten`
        : `${out} cannot be written (${code})`,
    );
  }
  io.out(`IT signing key written to ${out} (keep it secret and offline).`);
  io.out(`Public key: ${pair.publicKey}`);
  io.out('Add it to the machine policy of every workstation:');
  io.out(`  "adminSigningKeys": ["${pair.publicKey}"]`);
  return 0;
}

function adminToken(values: { 'admin-token-file'?: string }, io: AdminIo): string {
  let token: string | undefined;
  if (values['admin-token-file']) {
    try {
      token = readFileSync(values['admin-token-file'], 'utf8').trim();
    } catch (error) {
      throw new UsageError(
        `${values['admin-token-file']} cannot be read (${(error as NodeJS.ErrnoException).code ?? 'error'})`,
      );
    }
  } else {
    token = io.env.CM_ADMIN_TOKEN?.trim();
  }
  if (!token) throw new UsageError('an admin token is needed: --admin-token-file <file> or CM_ADMIN_TOKEN');
  return token;
}

function revocationsUrl(hub: string): URL {
  let url: URL;
  try {
    url = new URL('/admin/revocations', hub);
  } catch {
    throw new UsageError(`--hub ${hub} is not a URL`);
  }
  if (url.protocol !== 'https:')
    throw new UsageError('--hub must be an https:// URL (the admin token is a secret)');
  return url;
}

function post(
  url: URL,
  body: string,
  token: string,
  ca: string | undefined,
): Promise<{ status: number; text: string }> {
  return new Promise((resolve, reject) => {
    const req = request(
      url,
      {
        method: 'POST',
        headers: {
          'content-type': 'application/json',
          'content-length': Buffer.byteLength(body),
          authorization: `Bearer ${token}`,
        },
        ...(ca ? { ca } : {}),
        timeout: 30_000,
      },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () =>
          resolve({ status: res.statusCode ?? 0, text: Buffer.concat(chunks).toString('utf8') }),
        );
        res.on('error', reject);
      },
    );
    req.on('timeout', () => req.destroy(new Error('the hub did not answer within 30 s')));
    req.on('error', reject);
    req.end(body);
  });
}

async function revoke(values: Record<string, string | undefined>, io: AdminIo): Promise<number> {
  for (const name of ['user', 'device', 'key', 'hub'] as const) {
    if (!values[name]) throw new UsageError(`--${name} is required`);
  }
  const userId = values.user!;
  const deviceId = values.device!;
  if (!identifier.test(userId)) throw new UsageError('--user must be 1–128 letters, digits or . _ : -');
  if (!identifier.test(deviceId)) throw new UsageError('--device must be 1–128 letters, digits or . _ : -');
  const key = readKeyFile(values.key!);
  const url = revocationsUrl(values.hub!);
  const token = adminToken(values, io);
  let ca: string | undefined;
  if (values['ca-file']) {
    try {
      ca = readFileSync(values['ca-file'], 'utf8');
    } catch (error) {
      throw new UsageError(
        `${values['ca-file']} cannot be read (${(error as NodeJS.ErrnoException).code ?? 'error'})`,
      );
    }
  }

  const revocation: SignedRevocation = await signRevocation(
    { userId, deviceId, revokedAt: new Date().toISOString() },
    fromBase64(key.secretKey, 64)!,
  );
  let answer: { status: number; text: string };
  try {
    answer = await post(url, JSON.stringify(revocation), token, ca);
  } catch (error) {
    io.err(`The hub at ${url.origin} could not be reached: ${(error as Error).message}`);
    return 1;
  }
  let body: { code?: string; message?: string; created?: boolean } = {};
  try {
    body = JSON.parse(answer.text) as typeof body;
  } catch {
    // reported below with the status
  }
  if (answer.status !== 200) {
    io.err(
      `The hub refused the revocation (HTTP ${answer.status}${body.code ? `, ${body.code}` : ''}): ${body.message ?? answer.text.slice(0, 200)}`,
    );
    return 1;
  }
  io.out(
    `Revocation of device ${deviceId} (user ${userId}) signed at ${revocation.revokedAt} with key ${key.publicKey}` +
      (body.created === false ? ' was already with the hub.' : ' accepted by the hub.'),
  );
  io.out(
    'The workstation erases that profile as soon as it hears from the hub (at once if it is online, otherwise at its next connection),',
  );
  io.out('provided its machine policy lists this key in adminSigningKeys.');
  return 0;
}

/** Runs one command; returns the exit code. Exported so tests drive the same code. */
export async function main(argv: string[], io: AdminIo = processIo): Promise<number> {
  const [command, ...rest] = argv;
  try {
    const { values } = parseArgs({
      args: rest,
      options: {
        out: { type: 'string' },
        key: { type: 'string' },
        user: { type: 'string' },
        device: { type: 'string' },
        hub: { type: 'string' },
        'admin-token-file': { type: 'string' },
        'ca-file': { type: 'string' },
      },
      strict: true,
      allowPositionals: false,
    });
    switch (command) {
      case 'keygen':
        if (!values.out) throw new UsageError('--out is required');
        return await keygen(values.out, io);
      case 'pubkey':
        if (!values.key) throw new UsageError('--key is required');
        io.out(readKeyFile(values.key).publicKey);
        return 0;
      case 'revoke':
        return await revoke(values, io);
      default:
        throw new UsageError(command ? `unknown command '${command}'` : 'a command is required');
    }
  } catch (error) {
    if (error instanceof UsageError || (error as { code?: string }).code?.startsWith('ERR_PARSE_ARGS')) {
      io.err((error as Error).message);
      io.err(usage);
      return 2;
    }
    throw error;
  }
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  process.exitCode = await main(process.argv.slice(2));
}
