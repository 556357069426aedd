// The hospital's private CA (the one its hub, IdP, gateway and key service certificates chain to) is installed
// by IT in the operating system's certificate store: Group Policy on Windows, the System keychain on macOS,
// /usr/local/share/ca-certificates on Linux. Node trusts only its bundled Mozilla list unless told otherwise,
// so the core adds the OS store to the default CAs every TLS client in this process uses (https, fetch,
// undici, the SignalR client) when no `ca` is given. The bundled list and NODE_EXTRA_CA_CERTS (development
// and tests) stay trusted.
import tls from 'node:tls';
import type { Logger } from '../log/logger';

let trusted = false;

/** Makes every TLS connection of this process trust the OS certificate store too. Runs once a process. */
export function trustOsCaStore(log: Logger): void {
  if (trusted) return;
  try {
    // Node drops the duplicates (the OS store repeats most of the bundled roots).
    tls.setDefaultCACertificates([...tls.getCACertificates('default'), ...tls.getCACertificates('system')]);
    trusted = true;
  } catch (error) {
    // The app still starts; servers on a private CA then fail with a certificate error, and this says why.
    log.warn(
      { reason: error instanceof Error ? error.message : String(error) },
      'OS certificate store not read: only the bundled CAs are trusted',
    );
  }
}
