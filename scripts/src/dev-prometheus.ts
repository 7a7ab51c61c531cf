// `npm run dev` with Debian's prometheus installed: a Prometheus of its own, scraping every dev
// function's /metrics every 5 s and evaluating the platform's alerting rules, so the generated
// dashboards' queries and the alerts can be tried locally. Data lives in a temporary folder.
import { type ChildProcess, spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, openSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const RULES = fileURLToPath(
  new URL('../../knative/observability/prometheus/rules.yaml', import.meta.url),
);

/** A running dev Prometheus. */
export interface DevPrometheus {
  url: string;
  stop(): Promise<void>;
}

/** The scrape configuration: one job per target, labelled as the cluster's scrape labels it. */
export function prometheusConfig(targets: readonly { job: string; url: string }[]): string {
  const jobs = targets.map(({ job, url }) => {
    const { host } = new URL(url);
    return [
      `  - job_name: ${JSON.stringify(job)}`,
      '    metrics_path: /metrics',
      '    static_configs:',
      `      - targets: [${JSON.stringify(host)}]`,
      '        labels: { namespace: "shop" }',
    ].join('\n');
  });
  return [
    'global:',
    '  scrape_interval: 5s',
    '  evaluation_interval: 5s',
    'rule_files:',
    `  - ${JSON.stringify(RULES)}`,
    'scrape_configs:',
    ...jobs,
    '',
  ].join('\n');
}

/**
 * Starts `prometheus` from PATH on 127.0.0.1:`port`; undefined (nothing started) when it is not
 * installed.
 * @example const prometheus = await startDevPrometheus([{ job: 'offer', url: 'http://127.0.0.1:8083' }], 9090);
 */
export async function startDevPrometheus(
  targets: readonly { job: string; url: string }[],
  port: number,
): Promise<DevPrometheus | undefined> {
  if (spawnSync('prometheus', ['--version'], { stdio: 'ignore' }).error) return undefined;
  const dir = mkdtempSync(join(tmpdir(), 'shop-dev-prometheus-'));
  const config = join(dir, 'prometheus.yml');
  writeFileSync(config, prometheusConfig(targets));
  const logFile = openSync(join(dir, 'prometheus.log'), 'a');
  const child: ChildProcess = spawn(
    'prometheus',
    [
      `--config.file=${config}`,
      `--storage.tsdb.path=${join(dir, 'data')}`,
      `--web.listen-address=127.0.0.1:${port}`,
      '--storage.tsdb.retention.time=1d',
    ],
    { stdio: ['ignore', logFile, logFile] },
  );
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  const url = `http://127.0.0.1:${port}`;
  const stop = async () => {
    if (child.exitCode === null && child.signalCode === null) child.kill('SIGTERM');
    await exited;
    rmSync(dir, { recursive: true, force: true });
  };
  const deadline = Date.now() + 20_000;
  while (Date.now() < deadline) {
    if (child.exitCode !== null) {
      throw new Error(
        `prometheus exited with ${child.exitCode}; see ${join(dir, 'prometheus.log')}`,
      );
    }
    const ready = await fetch(`${url}/-/ready`)
      .then((res) => res.ok)
      .catch(() => false);
    if (ready) return { url, stop };
    await new Promise((resolve) => setTimeout(resolve, 250));
  }
  await stop();
  throw new Error(`prometheus was not ready at ${url} in time`);
}
