import assert from 'node:assert/strict';
import { OperationAbortedError } from '../../contract/kv-store.errors.js';
import { rejection } from './contract-assertions.js';
import type { ContractContext } from './contract-test-api.js';

/** The health check in both forms: assertHealthy rejects when down, healthCheck reports. */
export function describeHealthContract({ api, store }: ContractContext): void {
  api.describe('health', () => {
    api.it('reports UP with an ACTIVE table', async () => {
      const health = await store().healthCheck();
      assert.equal(health.status, 'UP');
      assert.equal(health.details.tableStatus, 'ACTIVE');
    });

    api.it('resolves assertHealthy with the same details', async () => {
      const details = await store().assertHealthy();
      assert.equal(details.tableStatus, 'ACTIVE');
      assert.equal(typeof details.table, 'string');
    });

    api.it('stops waiting when the signal aborts: assertHealthy rejects, healthCheck reports DOWN', async () => {
      const reason = new Error('probe cancelled');
      await rejection(store().assertHealthy({ signal: AbortSignal.abort(reason) }), OperationAbortedError, {
        code: 'ABORTED',
        cause: reason,
      });
      const health = await store().healthCheck({ signal: AbortSignal.abort(reason) });
      assert.equal(health.status, 'DOWN');
      assert.match(health.details.error ?? '', /aborted/);
    });
  });
}
