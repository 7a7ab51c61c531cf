// The publisher's OIDC token for K_SINK. With `authentication-oidc` on, Knative's SinkBinding
// requests a token of its own identity for the sink's audience, keeps it in a Secret it renews
// before expiry, and mounts that Secret into the bound pods at /oidc (file `token`). The dev
// runner writes the local broker's tokens the same way, so reading a file is the one way in.
import { readFileSync, statSync } from 'node:fs';
import { readFile } from 'node:fs/promises';

/** Where a Knative SinkBinding mounts the publisher's OIDC token. */
export const SINK_BINDING_TOKEN_FILE = '/oidc/token';

/**
 * Reads the token from `path` before a publish, again at most every `maxAgeMs` (default 10 s):
 * the file is rewritten while the function runs. Checks at once that the file holds a token,
 * so a wiring mistake stops the start instead of every publish.
 * @example const token = sinkTokenFromFile(process.env.K_SINK_OIDC_TOKEN_FILE ?? '/oidc/token');
 * @throws Error when the file is missing or empty
 */
export function sinkTokenFromFile(
  path: string,
  options: { maxAgeMs?: number; clock?: () => number } = {},
): () => Promise<string> {
  const clock = options.clock ?? Date.now;
  const maxAgeMs = options.maxAgeMs ?? 10_000;
  const read = (text: string) => {
    const token = text.trim();
    if (!token) throw new Error(`the OIDC token file ${path} is empty`);
    return token;
  };
  let cached = { token: read(readFileSync(path, 'utf8')), at: clock() };
  return async () => {
    if (clock() - cached.at < maxAgeMs) return cached.token;
    cached = { token: read(await readFile(path, 'utf8')), at: clock() };
    return cached.token;
  };
}

/** Whether a file exists (the SinkBinding's mount, when OIDC is on). */
export function tokenFileExists(path: string): boolean {
  try {
    return statSync(path).isFile();
  } catch {
    return false;
  }
}
