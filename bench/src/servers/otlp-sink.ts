// A stand-in for the OpenTelemetry Collector in the tracing benches: answers every OTLP/HTTP
// export (`POST /v1/traces`, protobuf or JSON) with 200 and an empty body, as a collector does
// when it accepts all, and counts what arrived; `GET /stats` answers `{ exports, bytes }`.
// Decodes nothing, so its own cost stays out of the function it receives from. Prints
// `LISTENING <port>`.
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';

let exports = 0;
let bytes = 0;
const server = createServer((req, res) => {
  if (req.method === 'GET' && req.url === '/stats') {
    res.writeHead(200, { 'content-type': 'application/json' });
    res.end(JSON.stringify({ exports, bytes }));
    return;
  }
  if (req.method !== 'POST' || req.url?.split('?')[0] !== '/v1/traces') {
    res.writeHead(404).end();
    return;
  }
  req.on('data', (chunk: Buffer) => {
    bytes += chunk.length;
  });
  req.on('end', () => {
    exports += 1;
    // An empty ExportTraceServiceResponse: all spans accepted.
    const json = (req.headers['content-type'] ?? '').startsWith('application/json');
    res.writeHead(200, { 'content-type': json ? 'application/json' : 'application/x-protobuf' });
    res.end(json ? '{}' : undefined);
  });
});
server.listen(0, '127.0.0.1', () => {
  console.log(`LISTENING ${(server.address() as AddressInfo).port}`);
});
process.once('SIGTERM', () => server.close(() => process.exit(0)));
