import { Scope, type Provider } from '@nestjs/common';
import { ModuleRef } from '@nestjs/core';
import { loadOptionalPeer } from '../peers/optional-peer.js';
import { DynamoKvHealthIndicator } from './dynamo-kv.health.js';

const TERMINUS = '@nestjs/terminus';

/**
 * Terminus (11 or 12) is an optional peer. Transient scope, as Terminus gives its own indicators, means the
 * factory runs only where the indicator is injected: an app without Terminus boots until it asks for one.
 */
export const HEALTH_INDICATOR_PROVIDER: Provider = {
  provide: DynamoKvHealthIndicator,
  scope: Scope.TRANSIENT,
  inject: [ModuleRef],
  useFactory: async (moduleRef: ModuleRef) => {
    const terminus = await loadOptionalPeer(TERMINUS, () => import('@nestjs/terminus'));
    if (terminus === undefined) {
      throw new Error(
        `DynamoKvHealthIndicator needs the "${TERMINUS}" package, which is not installed: npm install ${TERMINUS}@11 (Nest 11) or ${TERMINUS}@12 (Nest 12)`,
      );
    }
    return new DynamoKvHealthIndicator(new terminus.HealthIndicatorService(), moduleRef);
  },
};
