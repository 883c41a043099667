/** The REST error shape `{ error: { code, message, details? } }` for everything that goes wrong. */
import { ChatError, isChatError } from '@parley/chat-core';
import type { ErrorRequestHandler, RequestHandler } from 'express';
import type { Logger } from 'pino';

/** An error thrown by Express's body parser (`type` is its stable discriminator). */
interface BodyParserError extends Error {
  type?: string;
  status?: number;
}

function fromBodyParser(error: BodyParserError): ChatError | null {
  switch (error.type) {
    case 'entity.parse.failed':
      return new ChatError('VALIDATION_FAILED', 'The body is not valid JSON', {
        details: { fields: { '(body)': 'malformed JSON' } },
      });
    case 'entity.too.large':
      return new ChatError('PAYLOAD_TOO_LARGE', 'The body is too large');
    case 'encoding.unsupported':
    case 'charset.unsupported':
    case 'request.aborted':
    case 'request.size.invalid':
    case 'stream.encoding.set':
    case 'stream.not.readable':
    case 'parameters.too.many':
      return new ChatError('VALIDATION_FAILED', 'The body could not be read', {
        details: { fields: { '(body)': error.message } },
      });
    default:
      return null;
  }
}

/**
 * A client error raised by Express itself rather than a route, e.g. the router's 400 for a path
 * parameter that is not valid percent-encoding. Only its status is kept: the message may echo input.
 */
function fromHttpError(error: BodyParserError & { statusCode?: number }): ChatError | null {
  const status = error.status ?? error.statusCode;
  if (status === 413) return new ChatError('PAYLOAD_TOO_LARGE', 'The request is too large');
  if (typeof status === 'number' && status >= 400 && status < 500) {
    return new ChatError('VALIDATION_FAILED', 'The request could not be read', {
      details: { fields: { '(request)': 'malformed' } },
    });
  }
  return null;
}

/** Seconds for a `Retry-After` header from a RATE_LIMITED error's details. */
function retryAfterSeconds(error: ChatError): number {
  const details = error.details ?? {};
  if (typeof details.retryAfterSeconds === 'number') return Math.max(1, Math.ceil(details.retryAfterSeconds));
  if (typeof details.retryAfterMs === 'number') return Math.max(1, Math.ceil(details.retryAfterMs / 1000));
  return 60;
}

/** The last middleware: maps ChatErrors to their status; anything else is a logged 500 INTERNAL. */
export function errorHandler(logger: Logger): ErrorRequestHandler {
  return (err: unknown, req, res, next) => {
    if (res.headersSent) {
      next(err);
      return;
    }
    let error: ChatError;
    if (isChatError(err)) error = err;
    else {
      const parsed =
        err instanceof Error ? (fromBodyParser(err as BodyParserError) ?? fromHttpError(err)) : null;
      if (parsed) error = parsed;
      else {
        (req.log ?? logger).error({ err }, 'unexpected error');
        error = new ChatError('INTERNAL');
      }
    }
    // An INTERNAL thrown below (a wrapped failure, or one with a message meant for the logs) is
    // logged with what caused it; the client only ever gets the generic message.
    if (error.code === 'INTERNAL' && error === err) {
      (req.log ?? logger).error({ err: error.cause ?? error }, 'internal error');
      error = new ChatError('INTERNAL');
    }
    if (error.code === 'RATE_LIMITED') res.setHeader('Retry-After', String(retryAfterSeconds(error)));
    res.status(error.status).json({ error: error.toJSON() });
  };
}

/** JSON 404 for any route that does not exist. */
export const notFound: RequestHandler = (req, res) => {
  res.status(404).json({
    error: { code: 'NOT_FOUND', message: `No route for ${req.method} ${req.path}` },
  });
};
