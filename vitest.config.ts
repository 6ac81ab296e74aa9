import { defineConfig } from 'vitest/config';

export default defineConfig({
  // Workspace packages export their TypeScript sources under this condition (e.g. task-client's
  // `./wire`), so tests run against the sources without building dist first.
  resolve: { conditions: ['mephisto-source', 'module', 'node', 'development|production'] },
  // Server-side tests resolve packages as Node does at run time (no `module` condition): the AWS SDK's
  // `module` builds (dist-es) use extensionless imports that only a bundler resolves.
  ssr: { resolve: { conditions: ['mephisto-source', 'node', 'development|production'] } },
  test: {
    include: ['packages/*/test/**/*.test.{ts,tsx}', 'bench/**/*.test.ts'],
    globalSetup: ['test-support/global-setup.ts'],
    reporters: ['default', './test-support/summary-reporter.ts'],
    testTimeout: 30_000,
    hookTimeout: 60_000,
  },
});
