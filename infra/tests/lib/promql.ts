// The PromQL the kit ships (alert rules, dashboard panels) and the metric names it uses.
import { readFileSync } from 'node:fs';
import { parse } from 'yaml';
import { INFRA } from './paths.js';

export interface AlertRule {
  alert: string;
  expr: string;
  for?: string;
  labels?: Record<string, string>;
  annotations?: Record<string, string>;
}

export function alertRules(): AlertRule[] {
  const file = parse(readFileSync(`${INFRA}prometheus/live-calls.rules.yml`, 'utf8')) as {
    groups: { name: string; rules: AlertRule[] }[];
  };
  return file.groups.flatMap((group) => group.rules);
}

export interface DashboardPanel {
  type: string;
  title: string;
  datasource?: { type: string; uid: string };
  targets?: { expr: string; datasource?: { type: string; uid: string } }[];
}

export interface Dashboard {
  title: string;
  templating: { list: { name: string; type: string; query: string }[] };
  panels: DashboardPanel[];
}

export function dashboard(): Dashboard {
  return JSON.parse(readFileSync(`${INFRA}grafana/live-calls.json`, 'utf8')) as Dashboard;
}

export function dashboardExprs(): string[] {
  return dashboard().panels.flatMap((panel) => (panel.targets ?? []).map((t) => t.expr));
}

/** A dashboard expression as Prometheus would get it from Grafana: its variables filled in. */
export function withGrafanaVariables(expr: string): string {
  return expr.replaceAll('$__rate_interval', '1m');
}

const NOT_METRICS = new Set([
  'by',
  'without',
  'on',
  'ignoring',
  'group_left',
  'group_right',
  'offset',
  'bool',
  'and',
  'or',
  'unless',
  'inf',
  'nan',
]);

/**
 * The metric names an expression selects. Strings, label matchers, ranges, label lists and
 * Grafana variables are cut out first; what is left that looks like a name and is not a
 * function call or a keyword is a metric.
 */
export function metricNames(expr: string): Set<string> {
  const bare = expr
    .replace(/"(?:[^"\\]|\\.)*"/g, '""')
    .replace(/\{[^}]*\}/g, ' ')
    .replace(/\[[^\]]*\]/g, ' ')
    .replace(/\b(?:by|without|on|ignoring|group_left|group_right)\s*\([^)]*\)/g, ' ')
    .replace(/\$\{?\w+\}?/g, ' ');
  const names = new Set<string>();
  for (const [, name] of bare.matchAll(/(?<![\w.:])([A-Za-z_:][\w:]*)(?![\w:]|\s*\()/g))
    if (!NOT_METRICS.has((name as string).toLowerCase())) names.add(name as string);
  return names;
}

/**
 * Every series name a /metrics page can produce: each `# TYPE` family, with the `_bucket`,
 * `_sum` and `_count` series of histograms and summaries.
 */
export function exposedNames(metricsText: string): Set<string> {
  const names = new Set<string>();
  for (const [, name, type] of metricsText.matchAll(/^# TYPE (\S+) (\S+)$/gm)) {
    names.add(name as string);
    if (type === 'histogram')
      for (const s of ['_bucket', '_sum', '_count']) names.add(`${name}${s}`);
    if (type === 'summary') for (const s of ['_sum', '_count']) names.add(`${name}${s}`);
  }
  return names;
}
