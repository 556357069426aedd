// Test certificate authority for the reference servers. Every server in the stack serves TLS with a
// certificate this CA signed for 127.0.0.1 and localhost; Node trusts it through NODE_EXTRA_CA_CERTS
// (set before the test workers start) and the hub through an explicit custom-root chain policy.
import { execFileSync } from 'node:child_process';
import { createHash, X509Certificate } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

export interface TestTls {
  dir: string;
  caCertPath: string;
  certPath: string;
  keyPath: string;
  ca: string;
  cert: string;
  key: string;
}

function openssl(args: string[], cwd: string): void {
  execFileSync('openssl', args, { cwd, stdio: ['ignore', 'ignore', 'pipe'] });
}

/** Creates (once) a CA and a server certificate under `dir`, and returns their paths and PEM text. */
export function ensureTestTls(dir: string, caName = 'Clinical Messenger Test CA'): TestTls {
  mkdirSync(dir, { recursive: true });
  const caCertPath = join(dir, 'ca.pem');
  const certPath = join(dir, 'server.pem');
  const keyPath = join(dir, 'server-key.pem');
  if (!existsSync(caCertPath) || !existsSync(certPath) || !existsSync(keyPath)) {
    const ec = ['-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes'];
    openssl(
      [
        'req',
        '-x509',
        ...ec,
        '-keyout',
        'ca-key.pem',
        '-out',
        'ca.pem',
        '-days',
        '30',
        '-subj',
        `/CN=${caName}`,
        '-addext',
        'basicConstraints=critical,CA:TRUE',
        '-addext',
        'keyUsage=critical,keyCertSign,cRLSign',
      ],
      dir,
    );
    openssl(['req', ...ec, '-keyout', 'server-key.pem', '-out', 'server.csr', '-subj', '/CN=127.0.0.1'], dir);
    writeFileSync(
      join(dir, 'server.ext'),
      'basicConstraints=CA:FALSE\nkeyUsage=digitalSignature,keyEncipherment\n' +
        'extendedKeyUsage=serverAuth\nsubjectAltName=IP:127.0.0.1,DNS:localhost\n',
    );
    openssl(
      [
        'x509',
        '-req',
        '-in',
        'server.csr',
        '-CA',
        'ca.pem',
        '-CAkey',
        'ca-key.pem',
        '-CAcreateserial',
        '-out',
        'server.pem',
        '-days',
        '30',
        '-extfile',
        'server.ext',
      ],
      dir,
    );
  }
  return {
    dir,
    caCertPath,
    certPath,
    keyPath,
    ca: readFileSync(caCertPath, 'utf8'),
    cert: readFileSync(certPath, 'utf8'),
    key: readFileSync(keyPath, 'utf8'),
  };
}

/** The Chromium flag that accepts this stack's server certificate (pinned by its key) and nothing else untrusted. */
export function chromiumTrustArg(tls: TestTls): string {
  const spki = new X509Certificate(tls.cert).publicKey.export({ type: 'spki', format: 'der' });
  return `--ignore-certificate-errors-spki-list=${createHash('sha256').update(spki).digest('base64')}`;
}
