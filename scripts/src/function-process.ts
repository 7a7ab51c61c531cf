// One function as a process of its own, from its built output and with the tracing preload,
// as its container runs it: `node --import @shop/shared/telemetry/preload dist/main.js`.
import { type ChildProcess, spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('../../', import.meta.url));

/** A started function process. */
export interface FunctionProcess {
  child: ChildProcess;
  /** SIGTERM, then waits for the exit (SIGKILL after `graceMs`). */
  stop(graceMs?: number): Promise<void>;
}

/**
 * Starts `functions/<name>/dist/main.js` and resolves once its `/readyz` answers 200.
 * Its output goes to this process's (one JSON log line each), or to `onLine` when given.
 * @throws Error when it is not built, exits early, or is not ready in `readyTimeoutMs`
 * @example const offer = await startFunctionProcess('offer', { PORT: '8083', ...env });
 */
export async function startFunctionProcess(
  name: string,
  env: Record<string, string | undefined>,
  options: {
    onLine?: (line: string) => void;
    readyTimeoutMs?: number;
    /** Where `/readyz` is served (default PORT; the gateway serves it on its ops port). */
    readyPort?: string;
  } = {},
): Promise<FunctionProcess> {
  const main = `${root}functions/${name}/dist/main.js`;
  if (!existsSync(main)) throw new Error(`${main} is missing: run \`npm run build\` first`);
  const child = spawn(process.execPath, ['--import', '@shop/shared/telemetry/preload', main], {
    cwd: root,
    env: { ...env, OTEL_SERVICE_NAME: name },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  for (const stream of [child.stdout, child.stderr]) {
    let rest = '';
    stream?.setEncoding('utf8');
    stream?.on('data', (chunk: string) => {
      const lines = (rest + chunk).split('\n');
      rest = lines.pop() ?? '';
      for (const line of lines) {
        if (options.onLine) options.onLine(line);
        else process.stdout.write(`${line}\n`);
      }
    });
  }
  const exited = new Promise<number | null>((resolve) => child.once('exit', resolve));
  const stop = async (graceMs = 10_000) => {
    if (child.exitCode !== null || child.signalCode !== null) return;
    child.kill('SIGTERM');
    const timer = setTimeout(() => child.kill('SIGKILL'), graceMs);
    await exited;
    clearTimeout(timer);
  };
  const url = `http://127.0.0.1:${options.readyPort ?? env.PORT}/readyz`;
  const deadline = Date.now() + (options.readyTimeoutMs ?? 60_000);
  let early: number | null | undefined;
  void exited.then((code) => {
    early = code;
  });
  while (Date.now() < deadline) {
    if (early !== undefined) throw new Error(`${name} exited with ${early} before it was ready`);
    const ready = await fetch(url)
      .then((res) => res.ok)
      .catch(() => false);
    if (ready) return { child, stop };
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
  await stop(1_000);
  throw new Error(`${name} was not ready at ${url} in time`);
}
