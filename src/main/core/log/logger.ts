import pino, { type Logger } from 'pino';

/**
 * Structured logs hold identifiers and codes only. These paths are censored wherever they appear, as a
 * safety net for PHI and secrets that must never reach a log line.
 */
const redactPaths = [
  'text',
  'body',
  'payload',
  'plaintext',
  'patient',
  'fileName',
  'token',
  'accessToken',
  'refreshToken',
  'password',
  'pin',
  'key',
  'secretKey',
  '*.text',
  '*.body',
  '*.payload',
  '*.plaintext',
  '*.patient',
  '*.fileName',
  '*.token',
  '*.accessToken',
  '*.refreshToken',
  '*.password',
  '*.pin',
  '*.key',
  '*.secretKey',
];

export function createLogger(options: { level?: string; destination?: pino.DestinationStream } = {}): Logger {
  return pino(
    {
      level: options.level ?? process.env.CM_LOG_LEVEL ?? 'info',
      redact: { paths: redactPaths, censor: '[redacted]' },
      base: null,
    },
    options.destination,
  );
}

export type { Logger };
