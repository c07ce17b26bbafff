// infra/prometheus/prometheus.yml for this machine: the example targets replaced by the
// given ones, the token file and the rules beside it in `dir`, scraping and evaluating every
// second so a check does not wait 15 s per round.
import { copyFileSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { INFRA } from './paths.js';
import { render } from './render.js';

export interface PrometheusTargets {
  /** Two backends' host:port. */
  backends: [string, string];
  /** pbx-1's and pbx-2's bridge health host:port. */
  bridges: [string, string];
  caddyAdmin: string;
  metricsToken: string;
}

/** Writes prometheus.yml, its rules and the token file into `dir`; returns the config's path. */
export function writePrometheusConfig(dir: string, targets: PrometheusTargets): string {
  const tokenFile = join(dir, 'live-calls-metrics-token');
  writeFileSync(tokenFile, targets.metricsToken);
  copyFileSync(`${INFRA}prometheus/live-calls.rules.yml`, join(dir, 'live-calls.rules.yml'));
  const config = render(readFileSync(`${INFRA}prometheus/prometheus.yml`, 'utf8'), [
    ['scrape_interval: 15s', 'scrape_interval: 1s'],
    ['evaluation_interval: 15s', 'evaluation_interval: 1s'],
    ['/etc/prometheus/live-calls-metrics-token', tokenFile],
    [
      "['10.0.0.21:8080', '10.0.0.22:8080']",
      `['${targets.backends[0]}', '${targets.backends[1]}']`,
    ],
    ["['10.0.0.51:9465']", `['${targets.bridges[0]}']`],
    ["['10.0.0.52:9465']", `['${targets.bridges[1]}']`],
    ["['localhost:2019']", `['${targets.caddyAdmin}']`],
  ]);
  const path = join(dir, 'prometheus.yml');
  writeFileSync(path, config);
  return path;
}
