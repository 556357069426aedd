// Re-verifies a conversation's verification report offline, from its envelopes and public keys alone:
//   npm run verify-report -- <report.json>
// Exit code 0 when every verdict and alert in the report is confirmed, 1 when something disagrees, 2 on bad input.
import { readFileSync } from 'node:fs';
import { VerificationReport, verifyReport } from '../src/main/core/messaging/report';

const file = process.argv[2];
if (!file) {
  console.error('usage: verify-report <report.json>');
  process.exit(2);
}
let report: VerificationReport;
try {
  report = VerificationReport.parse(JSON.parse(readFileSync(file, 'utf8')));
} catch (error) {
  console.error(`${file} is not a verification report: ${(error as Error).message.split('\n')[0]}`);
  process.exit(2);
}
const result = verifyReport(report);
for (const f of result.findings) {
  const mark = f.agrees ? 'ok ' : 'BAD';
  console.log(
    `${mark} seq ${String(f.seq).padStart(6)} ${f.envelopeId}  reported ${f.reported}, offline ${f.offline}`,
  );
}
for (const a of result.alerts) console.log(`alert ${a.kind} seq ${a.fromSeq}..${a.toSeq}`);
const disagreements = result.findings.filter((f) => !f.agrees).length;
console.log(
  `${result.findings.length} envelopes checked, ${disagreements} disagreements, ${result.alerts.length} link alerts recomputed: ${result.agrees ? 'report confirmed' : 'REPORT NOT CONFIRMED'}`,
);
process.exit(result.agrees ? 0 : 1);
