// A metric's current value in a test: the series with exactly `labels`, or the sum over all.
interface MetricLike {
  get(): Promise<{ values: { value: number; labels: Record<string, unknown> }[] }>;
}

export async function metricValue(
  metric: MetricLike,
  labels?: Record<string, string>,
): Promise<number> {
  const { values } = await metric.get();
  return values
    .filter(
      (v) =>
        labels === undefined || Object.entries(labels).every(([k, want]) => v.labels[k] === want),
    )
    .reduce((sum, v) => sum + v.value, 0);
}
