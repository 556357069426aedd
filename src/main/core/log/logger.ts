import pino, { type Logger } from 'pino';

/**
 * Structured logs hold identifiers and codes only. These paths are censored wherever they appear, as a
 * safety net for PHI and secrets that must never reach a log line.
 */
const sensitiveKeys = [
  // Message and document content
  'text',
  'body',
  'payload',
  'plaintext',
  'preview',
  'title',
  'caption',
  // Patients
  'patient',
  'patientName',
  'mrn',
  'dateOfBirth',
  'dob',
  // Documents on disk
  'fileName',
  'filename',
  'filePath',
  // People and what they looked for
  'displayName',
  'username',
  'query',
  // Secrets
  'token',
  'accessToken',
  'refreshToken',
  'idToken',
  'authorization',
  'password',
  'pin',
  'key',
  'secretKey',
];
/** Each key at the top of a record and one level down (pino's redaction has no "any depth"). */
export const redactPaths = [...sensitiveKeys, ...sensitiveKeys.map((k) => `*.${k}`)];

export function createLogger(options: { level?: string; destination?: pino.DestinationStream } = {}): Logger {
  return pino(
    {
      level: options.level ?? process.env.CM_LOG_LEVEL ?? 'info',
      redact: { paths: redactPaths, censor: '[redacted]' },
      base: null,
      // IT reads these files: wall-clock times, not epoch milliseconds.
      timestamp: pino.stdTimeFunctions.isoTime,
    },
    options.destination,
  );
}

export type { Logger };
