/**
 * A vitest reporter that ends the run with one plain line, `vitest: N passed, N failed, N skipped`,
 * which CI systems that do not know vitest's own summary can read. It runs beside the default
 * reporter (see vitest.config.ts).
 */
import type { Reporter, TestModule } from 'vitest/node';

export default class SummaryReporter implements Reporter {
  onTestRunEnd(testModules: ReadonlyArray<TestModule>): void {
    let passed = 0;
    let failed = 0;
    let skipped = 0;
    for (const module of testModules) {
      for (const test of module.children.allTests()) {
        const state = test.result().state;
        if (state === 'passed') passed += 1;
        else if (state === 'failed') failed += 1;
        else skipped += 1;
      }
    }
    // Printed at exit so that it is the run's last line, after vitest's own summary.
    const line = `vitest: ${passed} passed, ${failed} failed, ${skipped} skipped`;
    process.once('exit', () => process.stdout.write(`${line}\n`));
  }
}
