/**
 * Prometheus metrics in the text exposition format, kept by hand: a few counters and one histogram
 * family, updated on the hot path without allocating (series are created once per route+status).
 */

/** Latency buckets in seconds: fine below 10 ms where a healthy server lives. */
const BUCKETS = [0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5];

interface Series {
  labels: string;
  count: number;
  sum: number;
  buckets: Float64Array;
}

function escapeLabel(v: string): string {
  return v.replace(/\\/g, '\\\\').replace(/"/g, '\\"').replace(/\n/g, '\\n');
}

export class Metrics {
  /** Series by route template, then status: two lookups, no key built per request. */
  private readonly series = new Map<string, Map<number, Series>>();
  private predictions = 0;
  private reloads = 0;
  private reloadFailures = 0;

  /** Records one request; `route` is the route template (bounded cardinality), never the raw path. */
  observe(route: string, status: number, seconds: number): void {
    let byStatus = this.series.get(route);
    if (byStatus === undefined) {
      byStatus = new Map();
      this.series.set(route, byStatus);
    }
    let s = byStatus.get(status);
    if (s === undefined) {
      s = { labels: `route="${escapeLabel(route)}",status="${status}"`, count: 0, sum: 0, buckets: new Float64Array(BUCKETS.length) };
      byStatus.set(status, s);
    }
    s.count++;
    s.sum += seconds;
    for (let i = 0; i < BUCKETS.length; i++) if (seconds <= BUCKETS[i]!) s.buckets[i]!++;
  }

  predicted(rows: number): void {
    this.predictions += rows;
  }

  reloaded(ok: boolean): void {
    if (ok) this.reloads++;
    else this.reloadFailures++;
  }

  render(model: { name: string; version: string } | undefined): string {
    const out: string[] = [
      '# HELP mlpipe_http_requests_total HTTP requests by route template and status.',
      '# TYPE mlpipe_http_requests_total counter',
    ];
    const all = [...this.series.values()].flatMap((byStatus) => [...byStatus.values()]);
    for (const s of all) out.push(`mlpipe_http_requests_total{${s.labels}} ${s.count}`);
    out.push(
      '# HELP mlpipe_http_request_duration_seconds Time to handle a request, by route template and status.',
      '# TYPE mlpipe_http_request_duration_seconds histogram',
    );
    for (const s of all) {
      for (let i = 0; i < BUCKETS.length; i++) out.push(`mlpipe_http_request_duration_seconds_bucket{${s.labels},le="${BUCKETS[i]}"} ${s.buckets[i]}`);
      out.push(`mlpipe_http_request_duration_seconds_bucket{${s.labels},le="+Inf"} ${s.count}`);
      out.push(`mlpipe_http_request_duration_seconds_sum{${s.labels}} ${s.sum}`);
      out.push(`mlpipe_http_request_duration_seconds_count{${s.labels}} ${s.count}`);
    }
    out.push(
      '# HELP mlpipe_predictions_total Rows scored.',
      '# TYPE mlpipe_predictions_total counter',
      `mlpipe_predictions_total ${this.predictions}`,
      '# HELP mlpipe_model_reloads_total Model reloads by outcome.',
      '# TYPE mlpipe_model_reloads_total counter',
      `mlpipe_model_reloads_total{outcome="ok"} ${this.reloads}`,
      `mlpipe_model_reloads_total{outcome="failed"} ${this.reloadFailures}`,
      '# HELP mlpipe_model_info The model being served (value 1).',
      '# TYPE mlpipe_model_info gauge',
    );
    if (model) out.push(`mlpipe_model_info{name="${escapeLabel(model.name)}",version="${escapeLabel(model.version)}"} 1`);
    return `${out.join('\n')}\n`;
  }
}
