/** The token `@InjectMetric(name)` of @willsoto/nestjs-prometheus resolves. */
export function getMetricToken(name: string): string {
  return `PROM_METRIC_${name.toUpperCase()}`;
}
