import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { prometheusConfig } from './dev-prometheus.js';

const targets = [
  { job: 'offer', url: 'http://127.0.0.1:8083' },
  { job: 'api-gateway', url: 'http://127.0.0.1:9080' },
];
const hasPromtool = !spawnSync('promtool', ['--version'], { stdio: 'ignore' }).error;

describe('the dev Prometheus configuration', () => {
  it('scrapes each function by its job name with the cluster’s namespace label', () => {
    const config = prometheusConfig(targets);
    expect(config).toContain('  - job_name: "offer"\n    metrics_path: /metrics');
    expect(config).toContain('      - targets: ["127.0.0.1:9080"]');
    expect(config).toContain('labels: { namespace: "shop" }');
    expect(config).toMatch(
      /rule_files:\n {2}- ".*knative\/observability\/prometheus\/rules\.yaml"/,
    );
  });

  it.runIf(hasPromtool)('is valid for promtool, rules included', () => {
    const dir = mkdtempSync(join(tmpdir(), 'dev-prometheus-test-'));
    try {
      const file = join(dir, 'prometheus.yml');
      writeFileSync(file, prometheusConfig(targets));
      const checked = spawnSync('promtool', ['check', 'config', file], { encoding: 'utf8' });
      expect(checked.stdout + checked.stderr).toContain('SUCCESS');
      expect(checked.status).toBe(0);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
