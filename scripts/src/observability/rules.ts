// Prometheus rule groups (SLI recording rules, SLO burn-rate alerts, symptom alerts), their
// promtool unit tests and the PrometheusRule that deploys them, all from alerts.ts.
import { ALERTS, type AlertDefinition, SLI_WINDOWS, SLOS, type Slo, sliRecord } from './alerts.js';
import type { YamlValue } from './yaml.js';

/** Where the runbook lives; alerts link to its headings. */
export const RUNBOOK_URL =
  'https://github.com/shop-platform/shop-platform/blob/main/knative/observability/RUNBOOK.md';

interface Rule {
  record?: string;
  alert?: string;
  expr: string;
  for?: string;
  labels?: Record<string, string>;
  annotations?: Record<string, string>;
}

/** A Prometheus rule group. */
export interface RuleGroup {
  name: string;
  interval?: string;
  rules: Rule[];
}

function recordingRules(slo: Slo): Rule[] {
  return SLI_WINDOWS.map((window) => ({
    record: sliRecord(window),
    expr: `${slo.bad(window)}\n/\n${slo.total(window)}`,
    labels: { slo: slo.name },
  }));
}

function annotations(alert: AlertDefinition): Record<string, string> {
  return {
    summary: alert.summary,
    description: alert.description,
    runbook_url: `${RUNBOOK_URL}#${alert.runbook}`,
  };
}

function alertingRule(alert: AlertDefinition): Rule {
  return {
    alert: alert.alert,
    expr: alert.expr,
    ...(alert.for && { for: alert.for }),
    labels: { severity: alert.severity, ...alert.labels },
    annotations: annotations(alert),
  };
}

const sloAlerts = ALERTS.filter((a) => a.labels?.slo !== undefined);
const otherAlerts = ALERTS.filter((a) => a.labels?.slo === undefined);

/**
 * The rule groups: recording rules first, so alerts read this evaluation's ratios.
 * @example ruleGroups().map((g) => g.name) // ['shop-slo-sli', 'shop-slo-alerts', 'shop-symptom-alerts']
 */
export function ruleGroups(): RuleGroup[] {
  return [
    { name: 'shop-slo-sli', rules: SLOS.flatMap(recordingRules) },
    { name: 'shop-slo-alerts', rules: sloAlerts.map(alertingRule) },
    { name: 'shop-symptom-alerts', rules: otherAlerts.map(alertingRule) },
  ];
}

/** The rule file Prometheus loads (and promtool checks). */
export function rulesFile(): YamlValue {
  return { groups: ruleGroups() as unknown as YamlValue };
}

/** Renders `{{ $labels.x }}` the way Prometheus does, for the tests' expected annotations. */
export function renderTemplate(template: string, labels: Record<string, string>): string {
  return template.replace(/\{\{ \$labels\.([a-z_]+) \}\}/g, (_, name: string) => {
    const value = labels[name];
    if (value === undefined) throw new Error(`template uses ${name}, which the alert lacks`);
    return value;
  });
}

/**
 * A promtool test file of the cases sampled every `interval` (rules are evaluated as often):
 * cases over hours sample every 5 minutes so the file runs in seconds.
 */
export function rulesTestFile(ruleFile: string, interval: '1m' | '5m'): YamlValue {
  const tests = ALERTS.flatMap((alert) =>
    alert.cases
      .filter((testCase) => (testCase.interval ?? '1m') === interval)
      .map((testCase) => {
        const labels = { severity: alert.severity, ...alert.labels, ...testCase.labels };
        const expected = () =>
          Object.fromEntries(
            Object.entries(annotations(alert)).map(([k, v]) => [k, renderTemplate(v, labels)]),
          );
        return {
          name: `${alert.alert} ${testCase.name}`,
          interval,
          input_series: testCase.series,
          alert_rule_test: [
            {
              eval_time: testCase.at,
              alertname: alert.alert,
              exp_alerts: testCase.fires
                ? [{ exp_labels: labels, exp_annotations: expected() }]
                : [],
            },
          ],
        };
      }),
  );
  return {
    rule_files: [ruleFile],
    evaluation_interval: interval,
    tests: tests as unknown as YamlValue,
  };
}

/** The same groups as a prometheus-operator PrometheusRule. */
export function prometheusRule(): YamlValue {
  return {
    apiVersion: 'monitoring.coreos.com/v1',
    kind: 'PrometheusRule',
    metadata: {
      name: 'shop-slos-and-alerts',
      namespace: 'shop',
      labels: { 'app.kubernetes.io/part-of': 'shop', role: 'alert-rules' },
    },
    spec: { groups: ruleGroups() as unknown as YamlValue },
  };
}
