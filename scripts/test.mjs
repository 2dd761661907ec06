// npm test — everything CI checks, in order: system packages, type-check, lint, formatting, unit and
// integration tests (real etcd), the production build, and end-to-end tests (real Chromium).
// Ends with one summary line, "N passed, N failed", counted from the runners' JSON reports.
import { spawnSync } from "node:child_process";
import { existsSync, mkdirSync, readFileSync, rmSync } from "node:fs";
import { join } from "node:path";

const root = process.cwd();
const reports = join(root, "test-results");
const env = { ...process.env, NEXT_TELEMETRY_DISABLED: "1", NO_COLOR: "1" };
const bin = (name) => join(root, "node_modules", ".bin", name);

function run(title, command, args) {
  const started = Date.now();
  console.log(`\n=== ${title}`);
  const result = spawnSync(command, args, { stdio: "inherit", env });
  const seconds = ((Date.now() - started) / 1000).toFixed(1);
  console.log(`=== ${title}: ${result.status === 0 ? "ok" : "FAILED"} (${seconds} s)`);
  return result.status === 0;
}

function vitestCounts(file) {
  if (!existsSync(file)) return { passed: 0, failed: 0, skipped: 0 };
  const report = JSON.parse(readFileSync(file, "utf8"));
  return {
    passed: report.numPassedTests ?? 0,
    failed: (report.numFailedTests ?? 0) + (report.numRuntimeErrorTests ?? 0),
    skipped: (report.numPendingTests ?? 0) + (report.numTodoTests ?? 0),
  };
}

function playwrightCounts(file) {
  if (!existsSync(file)) return { passed: 0, failed: 0, skipped: 0 };
  const stats = JSON.parse(readFileSync(file, "utf8")).stats ?? {};
  return { passed: stats.expected ?? 0, failed: (stats.unexpected ?? 0) + (stats.flaky ?? 0), skipped: stats.skipped ?? 0 };
}

rmSync(reports, { recursive: true, force: true });
mkdirSync(reports, { recursive: true });

const stages = [];
const stage = (title, command, args) => {
  const ok = run(title, command, args);
  stages.push({ title, ok });
  return ok;
};

const depsOk = stage("system packages (etcd, Chromium)", process.execPath, [
  join(root, "node_modules", "tsx", "dist", "cli.mjs"),
  "scripts/ensure-system-deps.ts",
]);
stage("type-check", bin("tsc"), ["--noEmit"]);
stage("lint", bin("eslint"), ["--max-warnings=0", "."]);
stage("formatting", bin("prettier"), ["--check", "."]);
stage("unit tests", bin("vitest"), [
  "run",
  "--project",
  "unit",
  "--reporter=default",
  "--reporter=json",
  `--outputFile.json=${join(reports, "unit.json")}`,
]);
if (depsOk) {
  // One file at a time: each starts its own etcd (a three-member cluster in one case), and the
  // failover and replay tests measure timing that a fully loaded 2-core machine would distort.
  stage("integration tests", bin("vitest"), [
    "run",
    "--project",
    "integration",
    "--no-file-parallelism",
    "--reporter=default",
    "--reporter=json",
    `--outputFile.json=${join(reports, "integration.json")}`,
  ]);
}
const built = stage("production build", bin("next"), ["build"]);
if (built && depsOk) stage("end-to-end tests", bin("playwright"), ["test"]);

const unit = vitestCounts(join(reports, "unit.json"));
const integration = vitestCounts(join(reports, "integration.json"));
const vitest = {
  passed: unit.passed + integration.passed,
  failed: unit.failed + integration.failed,
  skipped: unit.skipped + integration.skipped,
};
const e2e = playwrightCounts(join(reports, "e2e-results.json"));
const failedStages = stages.filter((s) => !s.ok).map((s) => s.title);
const passed = vitest.passed + e2e.passed;
const failed = vitest.failed + e2e.failed + failedStages.length;
const skipped = vitest.skipped + e2e.skipped;

console.log(
  `\nunit: ${unit.passed} passed, ${unit.failed} failed; integration: ${integration.passed} passed, ${integration.failed} failed; ` +
    `end-to-end: ${e2e.passed} passed, ${e2e.failed} failed`,
);
if (failedStages.length) console.log(`failed stages: ${failedStages.join(", ")}`);
console.log(`${passed} passed, ${failed} failed${skipped ? `, ${skipped} skipped` : ""}`);
process.exit(failed === 0 && passed > 0 ? 0 : 1);
