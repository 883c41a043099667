/**
 * Requests Node's HTTP parser refuses before Express sees them (headers over the 16 KB limit, a
 * malformed request line) get the contract's JSON error body instead of an empty answer.
 */
import type { Server } from 'node:http';
import type { Duplex } from 'node:stream';

function answer(socket: Duplex, status: number, reason: string, code: string, message: string): void {
  const body = JSON.stringify({ error: { code, message } });
  socket.end(
    `HTTP/1.1 ${status} ${reason}\r\nContent-Type: application/json; charset=utf-8\r\nContent-Length: ${Buffer.byteLength(body)}\r\nCache-Control: no-store\r\nConnection: close\r\n\r\n${body}`,
  );
}

/** Installs the `clientError` handler on the host's HTTP server. */
export function answerClientErrors(server: Server): void {
  server.on('clientError', (error: NodeJS.ErrnoException, socket: Duplex) => {
    // Nothing can be written to a connection that is gone or already answered.
    if (error.code === 'ECONNRESET' || !socket.writable) {
      socket.destroy();
      return;
    }
    if (error.code === 'HPE_HEADER_OVERFLOW') {
      answer(
        socket,
        431,
        'Request Header Fields Too Large',
        'PAYLOAD_TOO_LARGE',
        'The request headers are too large',
      );
    } else if (error.code === 'ERR_HTTP_REQUEST_TIMEOUT') {
      answer(socket, 408, 'Request Timeout', 'VALIDATION_FAILED', 'The request took too long to arrive');
    } else {
      answer(socket, 400, 'Bad Request', 'VALIDATION_FAILED', 'The request could not be read');
    }
  });
}
