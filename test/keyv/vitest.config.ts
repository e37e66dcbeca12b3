import { defineConfig } from 'vitest/config';

// Keyv's compliance suite is written for Vitest, so the Keyv tests run under it; everything else is Jest's.
export default defineConfig({
  test: {
    include: ['test/keyv/**/*.spec.ts'],
    // Fixed local credentials only: the SDK's default chain must never ask the instance-metadata address.
    // On Node 20 only, the AWS SDK's notice that it will drop Node 20 is off, as in Jest's global setup (see there).
    env: {
      AWS_EC2_METADATA_DISABLED: 'true',
      ...(Number(process.versions.node.split('.')[0]) === 20 ? { AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true' } : {}),
    },
    testTimeout: 30_000,
    hookTimeout: 60_000,
    // Keyv's suite freezes the clock with timekeeper; one file at a time keeps that to itself.
    fileParallelism: false,
  },
});
