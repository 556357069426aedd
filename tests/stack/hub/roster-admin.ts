// IT's side of the roster in tests: POST /admin/roster on the reference hub with the admin token
// (docs/roster.md). What IT's tooling would do; the body is sent as given, signed or not.
import { readFileSync } from 'node:fs';
import { request } from 'node:https';

export interface RosterPostTarget {
  hub: { origin: string; adminToken: string };
  tls: { caCertPath: string };
}

export function postRosterEntry(
  stack: RosterPostTarget,
  body: unknown,
  token: string | null = stack.hub.adminToken,
): Promise<{ status: number; json: Record<string, unknown> }> {
  const text = typeof body === 'string' ? body : JSON.stringify(body);
  return new Promise((resolve, reject) => {
    const req = request(
      `${stack.hub.origin}/admin/roster`,
      {
        method: 'POST',
        ca: readFileSync(stack.tls.caCertPath),
        headers: {
          'content-type': 'application/json',
          ...(token === null ? {} : { authorization: `Bearer ${token}` }),
        },
      },
      (res) => {
        let answer = '';
        res.on('data', (chunk: Buffer) => (answer += chunk.toString()));
        res.on('end', () =>
          resolve({ status: res.statusCode ?? 0, json: JSON.parse(answer) as Record<string, unknown> }),
        );
      },
    );
    req.on('error', reject);
    req.end(text);
  });
}
