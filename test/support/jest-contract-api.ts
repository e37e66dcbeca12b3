import type { ContractTestApi } from '../../lib/testing/index.js';

/** Jest's globals, as the published contract suite takes them. */
export const JEST_API: ContractTestApi = { describe, it, beforeAll, afterAll };
