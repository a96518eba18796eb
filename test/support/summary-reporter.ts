import type { Reporter, TestModule } from 'vitest/node'

/**
 * Prints the slowest test files, to keep the CI run within its time budget, then one plain closing line,
 * `N passed, N failed, N skipped`, that any CI log reader understands.
 */
export default class SummaryReporter implements Reporter {
  onTestRunEnd(testModules: ReadonlyArray<TestModule>): void {
    let passed = 0
    let failed = 0
    let skipped = 0
    for (const mod of testModules) {
      for (const test of mod.children.allTests()) {
        const state = test.result().state
        if (state === 'passed') passed++
        else if (state === 'failed') failed++
        else skipped++
      }
    }
    const slowest = [...testModules]
      .map((mod) => ({ file: mod.moduleId.replace(`${process.cwd()}/`, ''), seconds: mod.diagnostic().duration / 1000 }))
      .sort((a, b) => b.seconds - a.seconds)
      .slice(0, 15)
      .map(({ file, seconds }) => `  ${seconds.toFixed(1).padStart(6)} s  ${file}`)
    // Printed at exit so that it is the log's last line, after vitest's own summary.
    process.once('exit', () =>
      process.stdout.write(`\nslowest test files:\n${slowest.join('\n')}\ntests: ${passed} passed, ${failed} failed, ${skipped} skipped\n`),
    )
  }
}
