// Bearer-token check. The token is only accepted in the Authorization header (never a query parameter or
// cookie), and compared in constant time over SHA-256 digests so length and prefix leak nothing.
import { createHash, timingSafeEqual } from 'node:crypto';
import type { IncomingMessage } from 'node:http';

function digest(value: string): Buffer {
  return createHash('sha256').update(value, 'utf8').digest();
}

export function createBearerCheck(token: string): (req: IncomingMessage) => boolean {
  const expected = digest(token);
  return (req) => {
    const header = req.headers.authorization;
    if (typeof header !== 'string') return false;
    const match = /^Bearer[ ]+([^\s]+)[ ]*$/i.exec(header);
    const presented = match?.[1];
    if (presented === undefined) return false;
    return timingSafeEqual(digest(presented), expected);
  };
}
