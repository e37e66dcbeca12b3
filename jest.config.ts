import type { Config } from 'jest';

// NestJS 12 is ESM-only, so Jest runs in ESM mode (node --experimental-vm-modules, see package.json).
const config: Config = {
  testEnvironment: 'node',
  extensionsToTreatAsEsm: ['.ts'],
  moduleNameMapper: { '^(\\.{1,2}/.*)\\.js$': '$1' },
  transform: { '^.+\\.ts$': ['ts-jest', { useESM: true, tsconfig: 'tsconfig.json' }] },
  testMatch: ['<rootDir>/test/**/*.spec.ts'],
  // The consumer apps' own specs run inside those apps, with the package installed (test/consumers/);
  // Keyv's compliance suite runs under Vitest, which it is written for (npm run test:keyv).
  testPathIgnorePatterns: ['/node_modules/', '<rootDir>/test/consumers/[^/]+/src/', '<rootDir>/test/keyv/'],
  globalSetup: '<rootDir>/test/support/global-setup.ts',
  globalTeardown: '<rootDir>/test/support/global-teardown.ts',
  testTimeout: 30_000,
};

export default config;
