// npm test — everything CI checks, in order: system packages, type-check, lint, formatting, unit and
// integration tests (real etcd), the production build, and end-to-end tests (real Chromium).
// Ends with one summary line, "N passed, N failed", counted from the runners' JSON reports.
import { spawn, spawnSync } from "node:child_process";
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

/**
 * Runs several stages at once, each printed whole when it ends (interleaved output of two test
 * runners cannot be read). Resolves to whether each succeeded, in the order given.
 */
async function runTogether(entries) {
  const started = Date.now();
  console.log(`\n=== ${entries.map((entry) => entry.title).join(" + ")} (together)`);
  return Promise.all(
    entries.map(
      ({ title, command, args, extraEnv }) =>
        new Promise((resolve) => {
          const child = spawn(command, args, { env: { ...env, ...extraEnv }, stdio: ["ignore", "pipe", "pipe"] });
          const output = [];
          child.stdout.on("data", (chunk) => output.push(chunk));
          child.stderr.on("data", (chunk) => output.push(chunk));
          child.on("close", (code) => {
            const seconds = ((Date.now() - started) / 1000).toFixed(1);
            console.log(`\n=== ${title}`);
            process.stdout.write(Buffer.concat(output));
            console.log(`=== ${title}: ${code === 0 ? "ok" : "FAILED"} (${seconds} s)`);
            resolve(code === 0);
          });
        }),
    ),
  );
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

const depsOk = stage("system packages (etcd, Chromium, PostgreSQL)", process.execPath, [
  join(root, "node_modules", "tsx", "dist", "cli.mjs"),
  "scripts/ensure-system-deps.ts",
]);
const together = async (entries) => {
  const results = await runTogether(entries);
  entries.forEach((entry, at) => stages.push({ title: entry.title, ok: results[at] }));
  return results;
};

// The static checks and the unit tests do not depend on each other; on two cores they share the
// machine well (the unit tests start no process and measure no time).
await together([
  { title: "type-check", command: bin("tsc"), args: ["--noEmit"] },
  { title: "lint", command: bin("eslint"), args: ["--max-warnings=0", "."] },
  { title: "formatting", command: bin("prettier"), args: ["--check", "."] },
  {
    title: "unit tests",
    command: bin("vitest"),
    args: ["run", "--project", "unit", "--reporter=default", "--reporter=json", `--outputFile.json=${join(reports, "unit.json")}`],
  },
]);
// The long outage test spends minutes waiting with etcd stopped, so it runs beside the other
// integration tests instead of after them. It takes its ports from a range the kernel never
// hands out for port 0, so that no test beside it can take its etcd's ports while that etcd is
// down. The others run one file at a time: each starts its own etcd (a three-member cluster in
// one case), and the failover and deadline tests measure timing a loaded machine would distort.
// The archive recorder's PostgreSQL outage test (30 s with PostgreSQL stopped) runs there too.
// That lane waits more than it works, so files that measure no time and mind no load run there
// after the outages, which keeps the two lanes about as long as each other (on two cores here:
// 200 s of outages, 450 s of the rest before this; about 320 s each after).
const OUTAGE_TESTS = [
  "test/integration/faults-outage.test.ts",
  "test/integration/archive-recorder-outage.test.ts",
  "test/integration/secret-leaks.test.ts",
  "test/integration/folder-index.test.ts",
  "test/integration/changes-api.test.ts",
  "test/integration/decode-cli.test.ts",
  "test/integration/misconfigured.test.ts",
  "test/integration/audit-trail.test.ts",
  "test/integration/demo-restart.test.ts",
  "test/integration/access-tree.test.ts",
  "test/integration/explorer-api.test.ts",
  "test/integration/archive-reads.test.ts",
  "test/integration/archive-reads-postgres.test.ts",
  "test/integration/audit-archive.test.ts",
];
const integrationRun = (name, files) => [
  "run",
  "--project",
  "integration",
  "--no-file-parallelism",
  "--reporter=default",
  "--reporter=json",
  `--outputFile.json=${join(reports, `${name}.json`)}`,
  ...files,
];
if (depsOk) {
  await together([
    {
      title: "integration tests",
      command: bin("vitest"),
      args: integrationRun(
        "integration",
        OUTAGE_TESTS.flatMap((file) => ["--exclude", file]),
      ),
    },
    {
      title: "integration tests: etcd and PostgreSQL outages, and files that mind no load",
      command: bin("vitest"),
      args: integrationRun("integration-outage", OUTAGE_TESTS),
      extraEnv: { ETCDLENS_TEST_PORT_RANGE: "20000-20999" },
    },
  ]);
}
const built = stage("production build", bin("next"), ["build"]);
if (built && depsOk) stage("end-to-end tests", bin("playwright"), ["test"]);

const unit = vitestCounts(join(reports, "unit.json"));
const integration = [vitestCounts(join(reports, "integration.json")), vitestCounts(join(reports, "integration-outage.json"))].reduce(
  (sum, counts) => ({
    passed: sum.passed + counts.passed,
    failed: sum.failed + counts.failed,
    skipped: sum.skipped + counts.skipped,
  }),
);
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
