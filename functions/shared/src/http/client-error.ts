// What the HTTP server answers to a request it cannot even parse (headers past 16 KiB, a broken
// request line, a header timeout): problem+json like every other refusal, not Node's bare status
// line, and the connection closed.
import type { Duplex } from 'node:stream';

const REFUSALS: Record<string, { status: number; title: string; detail: string }> = {
  HPE_HEADER_OVERFLOW: {
    status: 431,
    title: 'Request Header Fields Too Large',
    detail: 'The request line and headers are larger than the server accepts (16 KiB).',
  },
  ERR_HTTP_REQUEST_TIMEOUT: {
    status: 408,
    title: 'Request Timeout',
    detail: 'The request did not arrive in time.',
  },
  ERR_HTTP_HEADERS_TIMEOUT: {
    status: 408,
    title: 'Request Timeout',
    detail: 'The request headers did not arrive in time.',
  },
};

const MALFORMED = { status: 400, title: 'Bad Request', detail: 'The request is not valid HTTP.' };

/**
 * A `clientError` listener for a Node HTTP server: answers problem+json (431 for oversized
 * headers, 408 for timeouts, else 400) and closes the connection.
 * @example server.on('clientError', answerClientError);
 */
export function answerClientError(error: NodeJS.ErrnoException, socket: Duplex): void {
  if (error.code === 'ECONNRESET' || !socket.writable) {
    socket.destroy();
    return;
  }
  const { status, title, detail } = REFUSALS[error.code ?? ''] ?? MALFORMED;
  const body = JSON.stringify({ type: 'about:blank', title, status, detail });
  socket.end(
    `HTTP/1.1 ${status} ${title}\r\n` +
      'content-type: application/problem+json\r\n' +
      `content-length: ${Buffer.byteLength(body)}\r\n` +
      'connection: close\r\n\r\n' +
      body,
  );
}
