import type { TestProject } from 'vitest/node';
import { probeRuntime, runtimeReport } from './support/container-runtime.js';

/**
 * Before any test file: is there a container runtime for the integration tests? Said once, here, with
 * what fixes it; test/support/broker.ts then fails each broker-backed test with one short line instead
 * of testcontainers' generic error. Never a skip: a run without its integration tests must not pass.
 */
export default async function setup(project: TestProject): Promise<void> {
  const report = runtimeReport(await probeRuntime(process.env));
  if (report.problem) process.stderr.write(`\nplex-home-mqtt tests: ${report.problem}\n\n`);
  for (const note of report.notes) process.stderr.write(`\nplex-home-mqtt tests, note: ${note}\n\n`);
  project.provide('containerRuntimeProblem', report.problem);
}
