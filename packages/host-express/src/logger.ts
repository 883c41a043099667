/** The host's pino logger: secrets redacted wherever they might appear. */
import { type Logger, pino } from 'pino';

/** Paths pino replaces with `[Redacted]` in every log line. */
export const REDACT_PATHS = [
  'req.headers.authorization',
  'req.headers.cookie',
  'headers.authorization',
  'authorization',
  'token',
  'password',
  '*.password',
  '*.token',
  'jwtSecret',
  '*.jwtSecret',
];

/** A JSON logger at `level` writing to stdout. */
export function createLogger(level = 'info'): Logger {
  return pino({ level, redact: { paths: REDACT_PATHS, censor: '[Redacted]' } });
}
