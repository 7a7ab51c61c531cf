import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import {
  METRIC_LABELS,
  metricCatalog,
  TARGET_LABELS,
} from '../../../functions/shared/src/telemetry/metric-catalog.js';
import { ALERTS, BURN_TIERS, counterValues, SLI_WINDOWS } from './alerts.js';
import { dashboards } from './dashboards.js';
import { OUTPUT_DIR } from './generate.js';
import { ROOT, renderObservability, staleFiles } from './index.js';
import { ruleGroups } from './rules.js';
import { toYaml } from './yaml.js';

function anchorsOf(markdown: string): Set<string> {
  return new Set(
    [...markdown.matchAll(/^#{2,3} (.+)$/gm)].map(([, heading = '']) =>
      heading
        .toLowerCase()
        .replace(/[^a-z0-9 -]/g, '')
        .replace(/ /g, '-'),
    ),
  );
}

function allExpressions(): string[] {
  const rules = ruleGroups().flatMap((g) => g.rules.map((r) => r.expr));
  const panels = Object.values(dashboards()).flatMap((board) =>
    (board.panels as { targets?: { expr?: string }[] }[]).flatMap((p) =>
      (p.targets ?? []).flatMap((t) => (t.expr ? [t.expr] : [])),
    ),
  );
  const variables = Object.values(dashboards()).flatMap((board) =>
    (board.templating as { list: { definition?: string }[] }).list.flatMap((v) =>
      v.definition ? [v.definition] : [],
    ),
  );
  return [...rules, ...panels, ...variables];
}

describe('knative/observability', () => {
  // promtool itself runs in CI (`.ci/run`, step "promtool rules") and by hand (README.md).
  it('is what `npm run observability` generates (nobody edits generated files by hand)', {
    timeout: 120_000,
  }, () => {
    // A new function or event type changes METRICS.md too: run `npm run observability`.
    const files = renderObservability();
    expect(staleFiles(files), 'not up to date: run `npm run observability`').toEqual([]);
  });

  it('gives every alert a promtool case where it fires and one where it does not', () => {
    const alerts = ruleGroups().flatMap((g) => g.rules.flatMap((r) => (r.alert ? [r.alert] : [])));
    expect(new Set(alerts).size).toBe(alerts.length);
    for (const name of alerts) {
      const cases = ALERTS.find((a) => a.alert === name)?.cases ?? [];
      expect(
        cases.some((c) => c.fires),
        `${name} fires in a case`,
      ).toBe(true);
      expect(
        cases.some((c) => !c.fires),
        `${name} stays quiet in a case`,
      ).toBe(true);
    }
    const tests = [
      readFileSync(join(ROOT, OUTPUT_DIR, 'prometheus/rules.test.yaml'), 'utf8'),
      readFileSync(join(ROOT, OUTPUT_DIR, 'prometheus/rules-hours.test.yaml'), 'utf8'),
    ].join('\n');
    for (const name of alerts) expect(tests).toContain(`alertname: ${name}`);
  });

  it('gives every alert a severity, a summary, a description and a runbook section', () => {
    const anchors = anchorsOf(readFileSync(join(ROOT, OUTPUT_DIR, 'RUNBOOK.md'), 'utf8'));
    for (const rule of ruleGroups().flatMap((g) => g.rules.filter((r) => r.alert))) {
      expect(['page', 'ticket']).toContain(rule.labels?.severity);
      expect(rule.annotations?.summary).toBeTruthy();
      expect(rule.annotations?.description).toBeTruthy();
      const anchor = rule.annotations?.runbook_url?.split('#')[1] ?? '';
      expect(anchors, `RUNBOOK.md has a section #${anchor} for ${rule.alert}`).toContain(anchor);
    }
  });

  it('burns error budgets as the SRE workbook says, for a 30-day budget', () => {
    expect(BURN_TIERS.map((t) => [t.factor, t.long, t.short, t.severity])).toEqual([
      [14.4, '1h', '5m', 'page'],
      [6, '6h', '30m', 'page'],
      [1, '3d', '6h', 'ticket'],
    ]);
    expect(SLI_WINDOWS).toContain('30d');
    const slos = ALERTS.filter((a) => a.labels?.slo).map((a) => a.labels?.slo);
    expect(new Set(slos)).toEqual(
      new Set(['gateway-availability', 'gateway-latency', 'checkout-success']),
    );
  });

  it('queries only catalog metrics, by budgeted labels', () => {
    const known = new Set<string>();
    for (const metric of Object.values(metricCatalog)) {
      known.add(metric.prometheusName);
      if (metric.type === 'histogram') {
        for (const suffix of ['_bucket', '_count', '_sum'])
          known.add(metric.prometheusName + suffix);
      }
    }
    for (const w of SLI_WINDOWS) known.add(`slo:sli_error:ratio_rate${w}`);
    const labels = new Set([
      ...Object.keys(METRIC_LABELS),
      ...Object.keys(TARGET_LABELS),
      'le',
      'slo',
    ]);
    for (const expr of allExpressions()) {
      for (const [, name = ''] of expr.matchAll(/([a-zA-Z_:][a-zA-Z0-9_:]*)\{/g)) {
        expect(known, `${name} in ${expr}`).toContain(name);
      }
      for (const [, list = ''] of expr.matchAll(/\bby \(([^)]*)\)/g)) {
        for (const label of list.split(',').map((l) => l.trim())) {
          expect(labels, `${label} in ${expr}`).toContain(label);
        }
      }
      for (const [, label = ''] of expr.matchAll(/[{,]([a-z_]+)(?:=~|!=|=)/g)) {
        expect(labels, `${label} in ${expr}`).toContain(label);
      }
    }
  });

  it('builds dashboards on datasource variables, with unique panel ids in a 24-column grid', () => {
    const boards = dashboards();
    expect(Object.keys(boards)).toEqual([
      'overview.json',
      'function-red.json',
      'eventing.json',
      'business.json',
    ]);
    for (const board of Object.values(boards)) {
      const vars = (board.templating as { list: { name: string }[] }).list.map((v) => v.name);
      expect(vars).toEqual(expect.arrayContaining(['DS_PROMETHEUS', 'DS_LOKI', 'DS_TEMPO']));
      const panels = board.panels as {
        id: number;
        gridPos: { x: number; w: number };
        datasource?: { uid: string };
      }[];
      expect(new Set(panels.map((p) => p.id)).size).toBe(panels.length);
      for (const p of panels) {
        expect(p.gridPos.x + p.gridPos.w).toBeLessThanOrEqual(24);
        if (p.datasource) expect(p.datasource.uid).toMatch(/^\$\{DS_(PROMETHEUS|LOKI|TEMPO)\}$/);
      }
    }
    const red = boards['function-red.json'] as {
      templating: { list: { name: string }[] };
      panels: { type: string }[];
    };
    expect(red.templating.list.map((v) => v.name)).toContain('function');
    const types = red.panels.map((p) => p.type);
    expect(types).toEqual(expect.arrayContaining(['logs', 'table', 'timeseries']));
  });
});

describe('counterValues', () => {
  it('continues each segment from where the last one ended', () => {
    expect(
      counterValues([
        { minutes: 2, perMinute: 5 },
        { minutes: 3, perMinute: 1 },
      ]),
    ).toBe('0+5x2 11+1x2');
    expect(counterValues([{ minutes: 10, perMinute: 2 }], 5)).toBe('0+10x2');
  });
});

describe('toYaml', () => {
  it('quotes what YAML would read as another type and writes PromQL as a block', () => {
    expect(toYaml({ a: '1', b: 'yes', c: 'x: y', d: 'plain text', e: 'a\nb', f: [] })).toBe(
      'a: "1"\nb: "yes"\nc: "x: y"\nd: plain text\ne: |-\n  a\n  b\nf: []\n',
    );
    expect(toYaml({ list: [{ k: 1, j: [2] }] })).toBe('list:\n  - k: 1\n    j:\n      - 2\n');
  });
});
