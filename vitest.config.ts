import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    globalSetup: ['tests/setup/global-setup.ts'],
    pool: 'forks',
    // The app's own logs stay at warnings and errors in test output.
    env: { CM_LOG_LEVEL: 'warn' },
    maxWorkers: 2,
    reporters: ['default', './tests/setup/summary-reporter.ts'],
    projects: [
      // Unit tests are quick, but CI machines are shared: a generous bound, never a timing assertion. They share
      // their worker processes (no per-file isolation): importing the core again for each file was half their time.
      {
        extends: true,
        test: { name: 'unit', include: ['tests/unit/**/*.test.ts'], testTimeout: 60_000, isolate: false },
      },
      {
        extends: true,
        test: {
          name: 'integration',
          include: ['tests/integration/**/*.test.ts'],
          testTimeout: 120_000,
          hookTimeout: 120_000,
        },
      },
      {
        extends: true,
        test: {
          name: 'stack',
          include: ['tests/stack/**/*.test.ts'],
          testTimeout: 300_000,
          hookTimeout: 300_000,
        },
      },
      {
        extends: true,
        test: {
          name: 'chromium',
          include: ['tests/chromium/**/*.test.ts'],
          testTimeout: 120_000,
          hookTimeout: 120_000,
        },
      },
      {
        // Property-based tests (fast-check) over the contract, the envelope parser, the hub protocol, the policy
        // loader: FUZZ_SCALE=full (npm run faults) tries many more inputs than the CI smoke size.
        extends: true,
        test: {
          name: 'fuzz',
          include: ['tests/fuzz/**/*.test.ts'],
          testTimeout: 600_000,
          hookTimeout: 300_000,
        },
      },
      {
        // Faults injected into the real hub and store (bad items, floods, damaged files, kill -9 mid-write).
        extends: true,
        test: {
          name: 'faults',
          include: ['tests/faults/**/*.test.ts'],
          testTimeout: 600_000,
          hookTimeout: 300_000,
        },
      },
      {
        extends: true,
        test: { name: 'electron', include: ['tests/electron/**/*.test.ts'], testTimeout: 120_000 },
      },
    ],
  },
});
