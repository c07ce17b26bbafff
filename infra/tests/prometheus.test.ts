// The Prometheus and Grafana files, checked without a running service: promtool accepts the
// scrape config and the rules, the rules' unit tests pass and cover every alert, each alert
// points at its runbook section in docs/deploy.md, and the dashboard is valid JSON whose
// every query parses as PromQL and reads its datasource from the variable.
// (deployment.test.ts runs them against the real services.)
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parse, stringify } from 'yaml';
import { afterAll, describe, expect, it } from 'vitest';
import { INFRA, REPO } from './lib/paths.js';
import { writePrometheusConfig } from './lib/prometheus-config.js';
import {
  alertRules,
  dashboard,
  dashboardExprs,
  metricNames,
  withGrafanaVariables,
} from './lib/promql.js';
import { promtool } from './lib/promtool.js';

const scratch = mkdtempSync(join(tmpdir(), 'live-calls-prometheus-'));
afterAll(() => rmSync(scratch, { recursive: true, force: true }));

describe('infra/prometheus', () => {
  it('promtool check config accepts prometheus.yml', async () => {
    const config = writePrometheusConfig(scratch, {
      backends: ['127.0.0.1:18080', '127.0.0.1:18081'],
      bridges: ['127.0.0.1:19465', '127.0.0.1:19466'],
      caddyAdmin: '127.0.0.1:12019',
      metricsToken: 'a-metrics-token-of-the-check',
    });
    const result = await promtool('check', 'config', config);
    expect(result.output).toMatch(/SUCCESS: 1 rule files found/);
    expect(result.code).toBe(0);
  });

  it('promtool check rules accepts the alert rules', async () => {
    const result = await promtool('check', 'rules', `${INFRA}prometheus/live-calls.rules.yml`);
    expect(result.output).toMatch(new RegExp(`SUCCESS: ${alertRules().length} rules found`));
    expect(result.code).toBe(0);
  });

  it('promtool test rules passes live-calls.rules.test.yml', async () => {
    const result = await promtool('test', 'rules', `${INFRA}prometheus/live-calls.rules.test.yml`);
    expect(result.output).toMatch(/SUCCESS/);
    expect(result.code).toBe(0);
  });

  it('tests every alert both firing and quiet', () => {
    const tests = parse(readFileSync(`${INFRA}prometheus/live-calls.rules.test.yml`, 'utf8')) as {
      tests: { alert_rule_test: { alertname: string; exp_alerts: unknown[] }[] }[];
    };
    const cases = tests.tests.flatMap((t) => t.alert_rule_test);
    const firing = new Set(cases.filter((c) => c.exp_alerts.length > 0).map((c) => c.alertname));
    const quiet = new Set(cases.filter((c) => c.exp_alerts.length === 0).map((c) => c.alertname));
    const alerts = alertRules().map((r) => r.alert);
    expect([...firing].sort()).toEqual([...alerts].sort());
    expect([...quiet].sort()).toEqual([...alerts].sort());
  });

  it('gives every alert a severity, a summary and its runbook section in docs/deploy.md', () => {
    const guide = readFileSync(`${REPO}docs/deploy.md`, 'utf8');
    const headings = new Set(
      [...guide.matchAll(/^#{2,4} (.+)$/gm)].map(([, title]) =>
        (title as string)
          .toLowerCase()
          .replace(/[^\w\- ]/g, '')
          .replaceAll(' ', '-'),
      ),
    );
    for (const rule of alertRules()) {
      expect(['critical', 'warning', 'info'], rule.alert).toContain(rule.labels?.severity);
      expect(rule.annotations?.summary, rule.alert).toBeTruthy();
      expect(rule.annotations?.runbook, rule.alert).toBe(
        `docs/deploy.md#${rule.alert.toLowerCase()}`,
      );
      expect(headings, `docs/deploy.md has no section ${rule.alert}`).toContain(
        rule.alert.toLowerCase(),
      );
    }
  });
});

describe('infra/grafana/live-calls.json', () => {
  const board = dashboard();

  it('takes its Prometheus datasource from a variable', () => {
    expect(board.templating.list).toContainEqual(
      expect.objectContaining({ name: 'datasource', type: 'datasource', query: 'prometheus' }),
    );
    const panels = board.panels.filter((p) => p.type !== 'row');
    expect(panels.length).toBeGreaterThan(0);
    for (const panel of panels) {
      expect(panel.datasource, panel.title).toEqual({ type: 'prometheus', uid: '${datasource}' });
      for (const target of panel.targets ?? []) expect(target.datasource).toEqual(panel.datasource);
    }
  });

  it('shows what an operator needs: streams by role, deliveries, ingest, rejects, replay log, clients cut, sources, refusals, alarms, hang-ups', () => {
    const used = new Set(dashboardExprs().flatMap((e) => [...metricNames(e)]));
    for (const metric of [
      'live_stream_connections',
      'live_fanout_writes_total',
      'live_events_received_total',
      'live_events_rejected_total',
      'live_replay_log_events',
      'live_slow_client_disconnects_total',
      'bridge_last_sync_timestamp_seconds',
      'live_streams_refused_total',
      'caddy_reverse_proxy_upstreams_healthy',
      'live_alarms_active',
      'live_hangup_requests_total',
    ])
      expect(used, metric).toContain(metric);
  });

  it('has queries that all parse as PromQL (promtool, as recording rules)', async () => {
    const rules = dashboardExprs().map((expr, i) => ({
      record: `dashboard:query_${i}`,
      expr: withGrafanaVariables(expr),
    }));
    const file = join(scratch, 'dashboard-queries.yml');
    writeFileSync(file, stringify({ groups: [{ name: 'dashboard', rules }] }));
    const result = await promtool('check', 'rules', file);
    expect(result.output).toMatch(new RegExp(`SUCCESS: ${rules.length} rules found`));
    expect(result.code).toBe(0);
  });
});

describe('metric names in PromQL', () => {
  it('are found through functions, aggregations, matchers, ranges and arithmetic', () => {
    expect([
      ...metricNames(
        'max(live_replay_log_events{job="a"}) / sum by (instance, le) (rate(x_total{outcome=~"a|b"}[$__rate_interval])) > 1.2e9 or time() - y_seconds offset 5m',
      ),
    ]).toEqual(['live_replay_log_events', 'x_total', 'y_seconds']);
  });
});
