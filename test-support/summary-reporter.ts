import type { Reporter, TestModule } from 'vitest/node';

/**
 * Prints the run's totals after vitest's own summary: `N skipped` on one line, then `N passed, N failed`
 * alone on the last line, which is what CI reads. A test file that could not even load counts as one
 * failure, and so does every unhandled error, so a broken run can never print `0 failed`.
 */
export default class SummaryReporter implements Reporter {
  onTestRunEnd(testModules: ReadonlyArray<TestModule>, unhandledErrors: ReadonlyArray<unknown>): void {
    let passed = 0;
    let failed = 0;
    let skipped = 0;
    for (const module of testModules) {
      let failedInModule = 0;
      for (const test of module.children.allTests()) {
        const state = test.result().state;
        if (state === 'passed') passed++;
        else if (state === 'failed') failedInModule++;
        else skipped++;
      }
      if (failedInModule === 0 && module.state() === 'failed') failedInModule = 1;
      failed += failedInModule;
    }
    failed += unhandledErrors.length;
    process.stdout.write(`\n${skipped} skipped\n${passed} passed, ${failed} failed\n`);
  }
}
