// The back office as `npm run dev` and its browser tests start it: a child process on a
// port of the caller's choosing, pointed at a gateway — `astro dev`, or the built server
// (`npm run build` first) as its container runs it.
import { type ChildProcess, spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const SITE_DIR = fileURLToPath(new URL('../', import.meta.url));

export interface RunningAdmin {
  url: string;
  /** What the server printed so far (for a failure message). */
  output(): string;
  stop(): Promise<void>;
}

export interface AdminOptions {
  port: number;
  gatewayUrl: string;
  /** `dev` (default): astro dev; `built`: dist/server/entry.mjs. */
  mode?: 'dev' | 'built';
  /** More settings (see the README); the process's own environment is the base. */
  env?: Record<string, string | undefined>;
  readyTimeoutMs?: number;
}

/**
 * Starts the back office and resolves once it answers.
 * @example const site = await startAdmin({ port: 4323, gatewayUrl: 'http://127.0.0.1:8080' });
 */
export async function startAdmin(options: AdminOptions): Promise<RunningAdmin> {
  const url = `http://127.0.0.1:${options.port}`;
  const astroPackage = createRequire(join(SITE_DIR, 'package.json')).resolve('astro/package.json');
  const built = join(SITE_DIR, 'dist', 'server', 'entry.mjs');
  if (options.mode === 'built' && !existsSync(built)) {
    throw new Error(`${built} is missing: run \`npm run build -w @shop/admin\` first`);
  }
  const args =
    options.mode === 'built'
      ? [built]
      : // --ignore-lock: beside a developer's own `astro dev` (Astro allows one per project
        // otherwise, and would move itself to the background when it thinks an agent runs it).
        [
          join(dirname(astroPackage), 'bin', 'astro.mjs'),
          'dev',
          '--port',
          String(options.port),
          '--host',
          '127.0.0.1',
          '--ignore-lock',
        ];
  let output = '';
  const child: ChildProcess = spawn(process.execPath, args, {
    cwd: SITE_DIR,
    env: {
      // Not a test runner's NODE_ENV=test and VITEST* (astro dev then serves nothing).
      ...Object.fromEntries(
        Object.entries(process.env).filter(([name]) => !/^(VITEST|NODE_ENV$)/.test(name)),
      ),
      NODE_ENV: options.mode === 'built' ? 'production' : 'development',
      ASTRO_TELEMETRY_DISABLED: '1',
      HOST: '127.0.0.1',
      PORT: String(options.port),
      GATEWAY_URL: options.gatewayUrl,
      PUBLIC_ORIGIN: url,
      ...Object.fromEntries(
        Object.entries(options.env ?? {}).filter(([, value]) => value !== undefined),
      ),
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const keep = (chunk: Buffer) => {
    output = (output + chunk.toString()).slice(-20_000);
  };
  child.stdout?.on('data', keep);
  child.stderr?.on('data', keep);
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  const deadline = Date.now() + (options.readyTimeoutMs ?? 120_000);
  for (;;) {
    if (child.exitCode !== null) throw new Error(`the back office exited:\n${output}`);
    try {
      if ((await fetch(`${url}/signin`)).ok) break;
    } catch {
      // not listening yet
    }
    if (Date.now() > deadline) {
      child.kill('SIGTERM');
      throw new Error(`the back office did not start in time:\n${output}`);
    }
    await new Promise((resolve) => setTimeout(resolve, 250));
  }
  return {
    url,
    output: () => output,
    async stop() {
      if (child.exitCode === null) child.kill('SIGTERM');
      await exited;
    },
  };
}
