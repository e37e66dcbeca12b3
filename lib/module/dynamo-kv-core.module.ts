import { Global, Module } from '@nestjs/common';
import { ExclusiveRuns } from '../coordination/exclusive/exclusive-runs.js';
import { HEALTH_INDICATOR_PROVIDER } from '../health/health-indicator.provider.js';
import { DynamoKvHealthIndicator } from '../health/dynamo-kv.health.js';
import { StoreRegistrations } from './store-registrations.js';

/** What every store registration shares, once per application however many stores it has. */
@Global()
@Module({
  providers: [StoreRegistrations, HEALTH_INDICATOR_PROVIDER, ExclusiveRuns],
  exports: [StoreRegistrations, DynamoKvHealthIndicator, ExclusiveRuns],
})
export class DynamoKvCoreModule {}
