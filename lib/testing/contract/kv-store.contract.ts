import type { KVStore } from '../../contract/kv-store.interface.js';
import { describeBasicContract } from './basic.contract.js';
import { describeBatchContract } from './batch.contract.js';
import { describeCancellationContract } from './cancellation.contract.js';
import { describeConditionalContract } from './conditional.contract.js';
import { describeCounterContract } from './counter.contract.js';
import type { ContractContext, ContractTestApi, KvStoreContractSubject } from './contract-test-api.js';
import { describeHealthContract } from './health.contract.js';
import { describeJsonContract } from './json.contract.js';
import { describeLeaseContract } from './lease.contract.js';
import { describeLimitsContract } from './limits.contract.js';
import { describeListingContract } from './listing.contract.js';
import { describeTtlContract } from './ttl.contract.js';
import { describeValuesContract } from './values.contract.js';

/** The capabilities the suite can check; a store states what it supports. */
export interface KvStoreCapabilities {
  basic: boolean;
  limits: boolean;
  values: boolean;
  health: boolean;
  ttl: boolean;
  batch: boolean;
  conditional: boolean;
  counter: boolean;
  lease: boolean;
  json: boolean;
  listing: boolean;
  cancellation: boolean;
}

const CAPABILITY_SUITES: Record<keyof KvStoreCapabilities, (context: ContractContext) => void> = {
  basic: describeBasicContract,
  limits: describeLimitsContract,
  values: describeValuesContract,
  health: describeHealthContract,
  ttl: describeTtlContract,
  batch: describeBatchContract,
  conditional: describeConditionalContract,
  counter: describeCounterContract,
  lease: describeLeaseContract,
  json: describeJsonContract,
  listing: describeListingContract,
  cancellation: describeCancellationContract,
};

/**
 * The behaviour every {@link KVStore} promises, stated once and run against every implementation: this
 * library's stores, and any fake of your own. Registers one `describe` block through `api`.
 */
export function describeKvStoreContract(
  api: ContractTestApi,
  subject: KvStoreContractSubject,
  capabilities: Partial<KvStoreCapabilities> = {},
): void {
  const enabled = (capability: keyof KvStoreCapabilities): boolean => capabilities[capability] ?? true;
  api.describe(`KVStore contract: ${subject.name}`, () => {
    let opened: KVStore | undefined;
    let keySeq = 0;
    const context: ContractContext = {
      api,
      subject,
      store: () => {
        if (opened === undefined) throw new Error(`The contract subject '${subject.name}' did not open.`);
        return opened;
      },
      freshKey: () => `contract-${Date.now()}-${(keySeq += 1)}`,
      freshKeys: (count) => Array.from({ length: count }, () => context.freshKey()),
    };

    api.beforeAll(async () => {
      opened = await subject.open();
    });

    api.afterAll(async () => {
      await subject.close?.();
    });

    for (const [capability, describeCapability] of Object.entries(CAPABILITY_SUITES)) {
      if (enabled(capability as keyof KvStoreCapabilities)) describeCapability(context);
    }
  });
}
