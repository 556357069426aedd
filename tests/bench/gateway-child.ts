/**
 * Child process of documents.bench.ts: the reference gateway in a process of its own, as a real gateway runs
 * on another machine (in the bench's own process its HTTPS and block reads would be charged to the client's
 * thread). argv: <dataDir> <token>. Prints one JSON line { url } once listening; stops when stdin closes.
 */
import { startGateway } from '../stack/gateway';
import { testTls } from '../stack/test-env';

const [dataDir, token] = process.argv.slice(2) as [string, string];
const gateway = await startGateway({ dataDir, tls: testTls(), token });
console.log(JSON.stringify({ url: gateway.url }));
process.stdin.resume();
process.stdin.once('end', () => {
  void gateway.close().then(() => process.exit(0));
});
