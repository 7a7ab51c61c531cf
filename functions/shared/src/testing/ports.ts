// Loopback ports for tests, benches and dev tools that must know an address before the server
// behind it starts (the broker resolves its subscribers at start; a gateway needs its upstreams).
import { type AddressInfo, createServer, type Server } from 'node:net';

/**
 * A port free on 127.0.0.1 right now (closed again before it is returned).
 * @example const port = await freePort();
 */
export async function freePort(): Promise<number> {
  const [port] = await freePorts(1);
  return port as number;
}

/**
 * `count` distinct ports free right now: held open together until all are found, so no two are
 * the same (one {@link freePort} after another can hand out a port twice).
 * @example const [cartPort, attributionPort] = await freePorts(2);
 */
export async function freePorts(count: number): Promise<number[]> {
  const servers: Server[] = Array.from({ length: count }, () => createServer());
  await Promise.all(
    servers.map(
      (server) =>
        new Promise<void>((resolve, reject) => {
          server.once('error', reject);
          server.listen(0, '127.0.0.1', resolve);
        }),
    ),
  );
  const ports = servers.map((server) => (server.address() as AddressInfo).port);
  await Promise.all(servers.map((server) => new Promise((resolve) => server.close(resolve))));
  return ports;
}
