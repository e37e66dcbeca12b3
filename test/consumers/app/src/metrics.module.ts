import { PrometheusModule } from '@willsoto/nestjs-prometheus';

// The README's Metrics setup: /metrics serves prom-client's default registry, where the store's metrics are.
export const MetricsModule = PrometheusModule.register();
