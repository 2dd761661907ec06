// npm run bench [-- --start-etcd] — measures the dashboard's production build (npm start's server, over
// HTTP on 127.0.0.1) against the etcd `npm run bench:seed` filled, next to the etcdctl command a
// user would otherwise run, timed in the same run. Prints a Markdown table of medians and ratios
// (and writes it to .etcdlens/bench-latest.md). Every loop is bounded in count and in time.
import { spawn, spawnSync, type ChildProcess } from "node:child_process";
import { existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { cpus, tmpdir, totalmem } from "node:os";
import { join } from "node:path";
import { findFreePort } from "./lib/etcd-process";
import { etcdctl, fetchOk, median, timeRuns, treeRss, type Timing } from "./lib/bench/measure";
import { BIG_NAMESPACE, HOT_KEY } from "./lib/bench/keyspace";
import { resolveTargetEtcd } from "./lib/bench/target-etcd";

const root = process.cwd();
const nextBin = join(root, "node_modules", "next", "dist", "bin", "next");
const BROWSERS = 20;
const LOAD_MS = 20_000;

type Row = { what: string; ours: string; command: string; theirs: string; ratio: string };

const ms = (value: number) => (value >= 1000 ? `${(value / 1000).toFixed(2)} s` : `${value.toFixed(1)} ms`);
const q = (key: string) => encodeURIComponent(key);

function row(what: string, ours: Timing | null, command: string, theirs: Timing | null, note = ""): Row {
  const ratio = ours && theirs ? `${(theirs.median / ours.median).toFixed(1)}×` : "—";
  return {
    what,
    ours: ours ? `${ms(ours.median)} (n=${ours.runs})${note}` : note || "—",
    command: command ? `\`${command}\`` : "—",
    theirs: theirs ? `${ms(theirs.median)} (n=${theirs.runs})` : "—",
    ratio,
  };
}

async function waitForHealthy(base: string, deadlineMs: number): Promise<void> {
  const deadline = Date.now() + deadlineMs;
  while (Date.now() < deadline) {
    try {
      const response = await fetch(`${base}/api/healthz`);
      if (response.ok) return;
    } catch {
      // Not listening yet.
    }
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
  throw new Error("the dashboard did not start");
}

const FIRST_LISTING_STARTS = 3;
// Then restarts on the last start's archive, which holds its saved folder index.
const RESTARTS = 2;

/** `answeringAt`: when the server first answered, i.e. after Node and Next booted. */
type Dashboard = { server: ChildProcess; base: string; startedAt: number; answeringAt: number; stop: () => Promise<void> };

async function startDashboard(env: NodeJS.ProcessEnv): Promise<Dashboard> {
  const port = await findFreePort();
  const base = `http://127.0.0.1:${port}`;
  const startedAt = performance.now();
  // PORT: the port the Host check answers 127.0.0.1 on (lib/env.ts getDoorSettings).
  const server = spawn(process.execPath, [join(root, "scripts", "serve.mjs")], {
    stdio: ["ignore", "ignore", "inherit"],
    env: { ...env, HOST: "127.0.0.1", PORT: String(port) },
  });
  const stop = () =>
    new Promise<void>((resolve) => {
      if (server.exitCode !== null || server.signalCode !== null) return resolve();
      server.once("exit", () => resolve());
      server.kill("SIGTERM");
    });
  try {
    await waitForHealthy(base, 60_000);
  } catch (error) {
    await stop();
    throw error;
  }
  return { server, base, startedAt, answeringAt: performance.now(), stop };
}

async function timeFirstListing(dashboard: Dashboard): Promise<{ millis: number; afterBootMillis: number; indexingAnswers: number }> {
  let indexingAnswers = 0;
  for (;;) {
    const body = (await fetchOk(`${dashboard.base}/api/keys?prefix=/registry/`)) as { indexing?: unknown };
    const now = performance.now();
    if (!body.indexing) return { millis: now - dashboard.startedAt, afterBootMillis: now - dashboard.answeringAt, indexingAnswers };
    indexingAnswers += 1;
    if (performance.now() - dashboard.startedAt > 300_000) throw new Error("the index was not built within 5 minutes");
    await new Promise((resolve) => setTimeout(resolve, 250));
  }
}

async function main() {
  const target = await resolveTargetEtcd({ fresh: false });
  const endpoint = target.endpoint;
  // next.config.ts builds into ETCDLENS_DIST_DIR when set, and `npm start` (scripts/serve.mjs) serves from there.
  if (!existsSync(join(root, process.env.ETCDLENS_DIST_DIR ?? ".next", "BUILD_ID"))) {
    console.log("bench: building the dashboard first (next build)...");
    if (spawnSync(process.execPath, [nextBin, "build"], { stdio: "inherit" }).status !== 0) throw new Error("the build failed");
  }
  // The dashboard records from its boot, as deployed: into an archive of this run's own, never the repository's .etcdlens/.
  // Each first start gets an archive of its own, so none finds a saved folder index; the restarts reuse the last one's.
  const archiveDirs: string[] = [];
  const env: NodeJS.ProcessEnv = { ...process.env, ETCDCTL_ENDPOINTS: endpoint, NODE_ENV: "production" };
  for (const name of ["ETCDCTL_CACERT", "ETCDCTL_CERT", "ETCDCTL_KEY", "ETCDCTL_USER", "ETCDCTL_PASSWORD", "ETCDLENS_ARCHIVE_URL"])
    delete env[name];
  // etcdctl's full pass first: it is the yardstick of the first listing, and it leaves etcd as
  // warm as a cluster that has been running for a while (a --start-etcd etcd has just started, and
  // its first seconds would otherwise be charged to the dashboard).
  const fullScan = await timeRuns(() => etcdctl(endpoint, ["get", "/registry/", "--prefix", "--keys-only"]), {
    count: 3,
    budgetMs: 60_000,
    warmup: 0,
  });
  const fullScanDiscarded = await timeRuns(() => etcdctl(endpoint, ["get", "/registry/", "--prefix", "--keys-only"], { discard: true }), {
    count: 3,
    budgetMs: 60_000,
    warmup: 0,
  });

  // The first listing after a start, three starts: the server builds the folder index as it boots
  // and listings answer "indexing" until it is ready. Timed from the moment the server is spawned
  // and from its first answer. Then restarts, which load the index the previous server saved in the
  // archive and catch up; the last server stays up for the rest of the run.
  const firstListings: number[] = [];
  const firstListingsAfterBoot: number[] = [];
  const restartListings: number[] = [];
  let indexingAnswers = 0;
  let dashboard: Dashboard | undefined;
  try {
    for (let start = 1; start <= FIRST_LISTING_STARTS + RESTARTS; start++) {
      await dashboard?.stop();
      const restart = start > FIRST_LISTING_STARTS;
      if (!restart) archiveDirs.push(mkdtempSync(join(tmpdir(), "etcdlens-bench-archive-")));
      dashboard = await startDashboard({ ...env, ETCDLENS_DATA_DIR: archiveDirs[archiveDirs.length - 1] });
      const first = await timeFirstListing(dashboard);
      if (restart) {
        restartListings.push(first.millis);
      } else {
        firstListings.push(first.millis);
        firstListingsAfterBoot.push(first.afterBootMillis);
        indexingAnswers += first.indexingAnswers;
      }
      console.log(
        `bench: ${restart ? "restart" : "start"} ${start}: first listing after ${ms(first.millis)} (${ms(first.afterBootMillis)} after the server first answered)`,
      );
    }
  } catch (error) {
    await dashboard?.stop();
    await target.stop();
    throw error;
  }
  if (!dashboard) throw new Error("the dashboard was never started");
  const { server, base } = dashboard;
  const rows: Row[] = [];
  const notes: string[] = [];
  try {
    console.log(`bench: etcd at ${endpoint}; dashboard at ${base} (pid ${server.pid})`);
    const firstListing: Timing = { median: median(firstListings), runs: firstListings.length, samples: firstListings };
    const rootLevel = (await fetchOk(`${base}/api/keys?prefix=&limit=1000`)) as { items: { isKey: boolean; keyCount?: number }[] };
    const keyCount = rootLevel.items.reduce((sum, item) => sum + (item.keyCount ?? 0) + (item.isKey ? 1 : 0), 0);
    console.log(`bench: ${keyCount.toLocaleString()} keys`);
    rows.push(
      row(
        "first complete listing, from `next start` (index built at boot)",
        firstListing,
        "etcdctl get /registry/ --prefix --keys-only",
        fullScan,
        `, ${indexingAnswers} "indexing" answers in all`,
      ),
    );
    rows.push(
      row(
        "same, against etcdctl writing to /dev/null",
        firstListing,
        "etcdctl get /registry/ --prefix --keys-only > /dev/null",
        fullScanDiscarded,
      ),
    );
    const afterBoot: Timing = {
      median: median(firstListingsAfterBoot),
      runs: firstListingsAfterBoot.length,
      samples: firstListingsAfterBoot,
    };
    rows.push(
      row(
        "same, from the server's first answer (Node and Next boot excluded)",
        afterBoot,
        "etcdctl get /registry/ --prefix --keys-only > /dev/null",
        fullScanDiscarded,
      ),
    );
    rows.push(
      row(
        "first complete listing after a restart (folder index loaded from the archive, caught up)",
        { median: median(restartListings), runs: restartListings.length, samples: restartListings },
        "etcdctl get /registry/ --prefix --keys-only",
        fullScan,
      ),
    );
    const idleRss = treeRss(server.pid!);

    const listing =
      (prefix: string, extra = "") =>
      () =>
        fetchOk(`${base}/api/keys?prefix=${q(prefix)}${extra}`).then(() => undefined);
    const fast = { count: 50, budgetMs: 10_000 };
    rows.push(
      row(
        "list `/registry/` (first page)",
        await timeRuns(listing("/registry/"), fast),
        "etcdctl get /registry/ --prefix --keys-only",
        fullScan,
      ),
    );
    const eventsScan = await timeRuns(() => etcdctl(endpoint, ["get", "/registry/events/", "--prefix", "--keys-only"]), {
      count: 3,
      budgetMs: 60_000,
      warmup: 0,
    });
    rows.push(
      row(
        "list `/registry/events/` (first page)",
        await timeRuns(listing("/registry/events/"), fast),
        "etcdctl get /registry/events/ --prefix --keys-only",
        eventsScan,
      ),
    );
    const big = `/registry/events/${BIG_NAMESPACE}/`;
    const bigCount =
      (
        (await fetchOk(`${base}/api/keys?prefix=${q("/registry/events/")}&limit=1000`)) as { items: { name: string; keyCount?: number }[] }
      ).items.find((item) => item.name === BIG_NAMESPACE)?.keyCount ?? 0;
    rows.push(
      row(
        `list \`${big}\` (${bigCount.toLocaleString()} keys), first page of 200`,
        await timeRuns(listing(big, "&limit=200"), fast),
        `etcdctl get ${big} --prefix --keys-only --limit 200`,
        await timeRuns(() => etcdctl(endpoint, ["get", big, "--prefix", "--keys-only", "--limit", "200"]), { count: 20, budgetMs: 10_000 }),
      ),
    );
    // A page in the middle of the big folder, reached through its cursor.
    let cursor = "";
    for (let page = 0; page < 125; page++) {
      const body = (await fetchOk(`${base}/api/keys?prefix=${q(big)}&limit=200${cursor ? `&cursor=${cursor}` : ""}`)) as {
        nextCursor: string | null;
        items: { key: string }[];
      };
      if (!body.nextCursor) break;
      cursor = body.nextCursor;
    }
    const middleKey = Buffer.from(cursor, "base64url").toString("latin1");
    rows.push(
      row(
        "same folder, page 126 (by cursor)",
        await timeRuns(listing(big, `&limit=200&cursor=${cursor}`), fast),
        `etcdctl get '${middleKey.slice(0, 40)}…' ${big.slice(0, -1)}0 --keys-only --limit 200`,
        await timeRuns(() => etcdctl(endpoint, ["get", middleKey, `${big.slice(0, -1)}0`, "--keys-only", "--limit", "200"]), {
          count: 20,
          budgetMs: 10_000,
        }),
      ),
    );

    const hot = (await fetchOk(`${base}/api/key?key=${q(HOT_KEY)}`)) as {
      revision: number;
      kv: { createRevision: number; modRevision: number; version: number };
    };
    const pastRevision = hot.kv.createRevision + 5_000;
    rows.push(
      row(
        `list \`/registry/\` at a past revision (?rev=${pastRevision})`,
        await timeRuns(listing("/registry/", `&rev=${pastRevision}`), { count: 3, budgetMs: 60_000 }),
        `etcdctl get /registry/ --prefix --keys-only --rev=${pastRevision}`,
        await timeRuns(() => etcdctl(endpoint, ["get", "/registry/", "--prefix", "--keys-only", `--rev=${pastRevision}`]), {
          count: 3,
          budgetMs: 60_000,
          warmup: 0,
        }),
      ),
    );

    // A revision after the seeding, when /registry/events/ already held its 201 namespaces.
    const lateRevision =
      ((await fetchOk(`${base}/api/keys?prefix=${q("/registry/events/")}&limit=1`)) as { revision: number }).revision - 10;
    rows.push(
      row(
        `list \`/registry/events/\` at a past revision (?rev=${lateRevision})`,
        await timeRuns(listing("/registry/events/", `&rev=${lateRevision}`), { count: 3, budgetMs: 60_000 }),
        `etcdctl get /registry/events/ --prefix --keys-only --rev=${lateRevision}`,
        await timeRuns(() => etcdctl(endpoint, ["get", "/registry/events/", "--prefix", "--keys-only", `--rev=${lateRevision}`]), {
          count: 3,
          budgetMs: 60_000,
          warmup: 0,
        }),
      ),
    );

    const pods = (await fetchOk(`${base}/api/keys?prefix=${q("/registry/pods/ns-0/")}&limit=1`)) as { items: { key: string }[] };
    const podKey = pods.items[0].key;
    rows.push(
      row(
        "read a Pod (decoded)",
        await timeRuns(() => fetchOk(`${base}/api/key?key=${q(podKey)}`).then(() => undefined), fast),
        `etcdctl get ${podKey} -w json`,
        await timeRuns(() => etcdctl(endpoint, ["get", podKey, "-w", "json"]), { count: 20, budgetMs: 10_000 }),
      ),
    );
    // The Pod table: a page of 200 Pods read, decoded and turned into kubectl's rows; the server's
    // own time comes from the Server-Timing header, the rest is HTTP on loopback.
    const serverTimes: number[] = [];
    let tableRows = 0;
    const tablePage = async () => {
      const response = await fetch(`${base}/api/table?prefix=${q("/registry/pods/ns-0/")}&limit=200`);
      const body = (await response.json()) as { rows?: unknown[]; indexing?: unknown };
      if (!response.ok || body.indexing || !body.rows?.length)
        throw new Error(`/api/table: ${response.status}, ${body.rows?.length ?? 0} rows`);
      tableRows = body.rows.length;
      serverTimes.push(Number(/dur=([\d.]+)/.exec(response.headers.get("server-timing") ?? "")?.[1]));
    };
    const tableTiming = await timeRuns(tablePage, { count: 30, budgetMs: 20_000, warmup: 5 });
    const tableServer = median(serverTimes.slice(-tableTiming.runs));
    rows.push(
      row(
        `a page of ${tableRows} Pods decoded into table rows (\`/api/table\`, /registry/pods/ns-0/)`,
        tableTiming,
        `etcdctl get /registry/pods/ns-0/ --prefix --limit 200 -w json (no decoding)`,
        await timeRuns(() => etcdctl(endpoint, ["get", "/registry/pods/ns-0/", "--prefix", "--limit", "200", "-w", "json"]), {
          count: 20,
          budgetMs: 10_000,
        }),
        `; server time ${ms(tableServer)} (Server-Timing, target ≤ 150 ms)`,
      ),
    );
    rows.push(
      row(
        `read ${HOT_KEY} at an old revision`,
        await timeRuns(() => fetchOk(`${base}/api/key?key=${q(HOT_KEY)}&rev=${pastRevision}`).then(() => undefined), fast),
        `etcdctl get ${HOT_KEY} --rev=${pastRevision} -w json`,
        await timeRuns(() => etcdctl(endpoint, ["get", HOT_KEY, `--rev=${pastRevision}`, "-w", "json"]), { count: 20, budgetMs: 10_000 }),
      ),
    );
    const fiftyGets = async () => {
      for (let i = 0; i < 50; i++) await etcdctl(endpoint, ["get", HOT_KEY, `--rev=${hot.kv.modRevision - i}`, "-w", "json"]);
    };
    rows.push(
      row(
        `history: first page (50) of a key with ${hot.kv.version.toLocaleString()} revisions`,
        await timeRuns(() => fetchOk(`${base}/api/history?key=${q(HOT_KEY)}&limit=50`).then(() => undefined), {
          count: 20,
          budgetMs: 20_000,
        }),
        `50 × etcdctl get ${HOT_KEY} --rev=N -w json`,
        await timeRuns(fiftyGets, { count: 3, budgetMs: 30_000, warmup: 0 }),
      ),
    );
    const diffExists = existsSync(join(root, "app", "api", "diff", "route.ts"));
    if (diffExists) {
      const older = hot.kv.modRevision - 100;
      rows.push(
        row(
          "diff two revisions of a key",
          await timeRuns(() => fetchOk(`${base}/api/diff?key=${q(HOT_KEY)}&from=${older}&to=${hot.kv.modRevision}`).then(() => undefined), {
            count: 20,
            budgetMs: 10_000,
          }),
          `etcdctl get ${HOT_KEY} --rev=A --print-value-only; … --rev=B (then decode and diff by hand)`,
          await timeRuns(
            async () => {
              await etcdctl(endpoint, ["get", HOT_KEY, `--rev=${older}`, "--print-value-only"]);
              await etcdctl(endpoint, ["get", HOT_KEY, `--rev=${hot.kv.modRevision}`, "--print-value-only"]);
            },
            { count: 10, budgetMs: 10_000 },
          ),
        ),
      );
    } else {
      rows.push(row("diff two revisions of a key", null, "", null, "not measured: no /api/diff yet"));
    }

    // 20 simulated browsers, each opening levels, paging the big folder, reading values and history.
    const latencies: number[] = [];
    let peakRss = idleRss;
    let requests = 0;
    let failures = 0;
    const loadEnds = performance.now() + LOAD_MS;
    const sampler = setInterval(() => (peakRss = Math.max(peakRss, treeRss(server.pid!))), 250);
    const browse = async (browser: number) => {
      const paths = [
        `/api/keys?prefix=${q("/registry/")}`,
        `/api/keys?prefix=${q("/registry/events/")}`,
        `/api/keys?prefix=${q(`/registry/events/ns-${browser}/`)}`,
        `/api/keys?prefix=${q(big)}`,
        `/api/key?key=${q(podKey)}`,
        `/api/history?key=${q(HOT_KEY)}&limit=50`,
      ];
      for (let round = 0; round < 200 && performance.now() < loadEnds; round++) {
        for (const path of paths) {
          const at = performance.now();
          try {
            await fetchOk(`${base}${path}`);
          } catch {
            failures += 1;
          }
          latencies.push(performance.now() - at);
          requests += 1;
        }
      }
    };
    await Promise.all(Array.from({ length: BROWSERS }, (_, browser) => browse(browser)));
    clearInterval(sampler);
    rows.push(
      row(
        `${BROWSERS} browsers at once for ${LOAD_MS / 1000} s: ${requests.toLocaleString()} requests, ${failures} failed`,
        { median: median(latencies), runs: latencies.length, samples: [] },
        "",
        null,
        `; peak RSS ${(peakRss / 1024 / 1024).toFixed(0)} MB (idle after indexing ${(idleRss / 1024 / 1024).toFixed(0)} MB)`,
      ),
    );

    const decode = spawnSync(process.execPath, [join(root, "node_modules", "tsx", "dist", "cli.mjs"), "scripts/bench-decode.ts"], {
      encoding: "utf8",
    });
    notes.push("`npm run bench:decode` in the same run:", "", "```", decode.stdout.trim(), "```");
    // Its own private etcd: writing 400 Pods into the benchmark keyspace would change what it measures.
    const tableEnv = { ...process.env };
    delete tableEnv.ETCDCTL_ENDPOINTS;
    const tables = spawnSync(
      process.execPath,
      [join(root, "node_modules", "tsx", "dist", "cli.mjs"), "--conditions=react-server", "scripts/bench-table.ts"],
      { encoding: "utf8", env: tableEnv },
    );
    notes.push(
      "",
      "`npm run bench:table` in the same run (200 fixture Pods and 200 typical Pods, a private etcd):",
      "",
      "```",
      tables.stdout.trim(),
      "```",
    );

    // The archive recorder: its own private etcd and PostgreSQL (it writes tens of thousands of Pods).
    const recorder = spawnSync(
      process.execPath,
      [join(root, "node_modules", "tsx", "dist", "cli.mjs"), "--conditions=react-server", "scripts/bench-recorder.ts"],
      { encoding: "utf8", env: tableEnv },
    );
    notes.push(
      "",
      "`npm run bench:recorder` in the same run (the archive recorder on SQLite and PostgreSQL, a private etcd and PostgreSQL):",
      "",
      "```",
      (recorder.stdout.trim() || recorder.stderr.trim())
        .split("\n")
        .filter((line) => !line.startsWith("etcdlens: watch"))
        .join("\n"),
      "```",
    );

    // Search by content over the 100,000 Pods of this keyspace (read only), beside etcdctl | decode | grep.
    const search = spawnSync(
      process.execPath,
      [join(root, "node_modules", "tsx", "dist", "cli.mjs"), "--conditions=react-server", "scripts/bench-search.ts"],
      { encoding: "utf8", env: { ...process.env, ETCDCTL_ENDPOINTS: endpoint } },
    );
    notes.push("", "`npm run bench:search` in the same run:", "", search.stdout.trim() || search.stderr.trim());

    // Export of the 100,000 Pods as jsonl and yaml beside etcdctl, and a compare of the whole keyspace (read only).
    const exported = spawnSync(
      process.execPath,
      [join(root, "node_modules", "tsx", "dist", "cli.mjs"), "--conditions=react-server", "scripts/bench-export.ts"],
      { encoding: "utf8", env: { ...process.env, ETCDCTL_ENDPOINTS: endpoint } },
    );
    notes.push("", "`npm run bench:export` in the same run:", "", exported.stdout.trim() || exported.stderr.trim());

    // The retention: how long a prune batch holds the event loop, on both engines (a private PostgreSQL).
    const prune = spawnSync(
      process.execPath,
      [join(root, "node_modules", "tsx", "dist", "cli.mjs"), "--conditions=react-server", "scripts/bench-prune.ts"],
      { encoding: "utf8", env: tableEnv },
    );
    notes.push(
      "",
      "`npm run bench:prune` in the same run (the retention cutting an archive of 40,000 Pod revisions to half, SQLite and PostgreSQL):",
      "",
      "```",
      prune.stdout.trim() || prune.stderr.trim(),
      "```",
    );

    // Insights' growth query over a week of a million live revisions, on both engines (a private PostgreSQL).
    const insights = spawnSync(
      process.execPath,
      [join(root, "node_modules", "tsx", "dist", "cli.mjs"), "--conditions=react-server", "scripts/bench-insights.ts"],
      { encoding: "utf8", env: tableEnv },
    );
    notes.push(
      "",
      "`npm run bench:insights` in the same run (the Insights page's growth per folder over 24 h and 7 d, SQLite and PostgreSQL):",
      "",
      "```",
      insights.stdout.trim() || insights.stderr.trim(),
      "```",
    );

    // The folder index's sizing pass and GET /api/stats, in a process of its own on the same keyspace (read only).
    const stats = spawnSync(
      process.execPath,
      [join(root, "node_modules", "tsx", "dist", "cli.mjs"), "--conditions=react-server", "scripts/bench-stats.ts"],
      { encoding: "utf8", env: { ...process.env, ETCDCTL_ENDPOINTS: endpoint, NODE_OPTIONS: "--expose-gc" } },
    );
    notes.push(
      "",
      "`npm run bench:stats` in the same run (sizing pass, size table, /api/stats):",
      "",
      "```",
      stats.stdout.trim() || stats.stderr.trim(),
      "```",
    );

    // npm run open's time per 100 MB: a snapshot of this keyspace (etcdctl snapshot save only reads) checked, restored and served.
    const snapshot = spawnSync(process.execPath, [join(root, "node_modules", "tsx", "dist", "cli.mjs"), "scripts/bench-snapshot.ts"], {
      encoding: "utf8",
      env: { ...process.env, ETCDCTL_ENDPOINTS: endpoint },
    });
    notes.push("", "`npm run bench:snapshot` in the same run:", "", "```", snapshot.stdout.trim() || snapshot.stderr.trim(), "```");

    // The tree at an archived revision on a million-key archive of its own (bulk-loaded, a few
    // minutes); the restart's first listing is the row above, against the real dashboard.
    const archiveTree = spawnSync(
      process.execPath,
      [
        join(root, "node_modules", "tsx", "dist", "cli.mjs"),
        "--conditions=react-server",
        "scripts/bench-archive-tree.ts",
        "--skip-restart",
      ],
      { encoding: "utf8", env: tableEnv },
    );
    notes.push(
      "",
      "`npm run bench:archive-tree -- --skip-restart` in the same run (`ArchiveStore.listLevelAt` on 1,000,000 archived keys, SQLite and PostgreSQL):",
      "",
      "```",
      archiveTree.stdout.trim() || archiveTree.stderr.trim(),
      "```",
    );

    const etcdVersion = spawnSync("etcd", ["--version"], { encoding: "utf8" }).stdout.split("\n")[0];
    const machine = `${cpus().length} × ${cpus()[0]?.model ?? "CPU"}, ${(totalmem() / 2 ** 30).toFixed(0)} GiB RAM, ${etcdVersion}, Node ${process.version}, ${keyCount.toLocaleString()} keys`;
    const table = [
      `Machine: ${machine}. Command: \`npm run bench${target.private ? " -- --start-etcd" : ""}\`.`,
      "",
      "| measurement | etcdlens (median) | etcdctl command | etcdctl (median) | etcdctl ÷ etcdlens |",
      "| --- | --- | --- | --- | --- |",
      ...rows.map((r) => `| ${r.what} | ${r.ours} | ${r.command} | ${r.theirs} | ${r.ratio} |`),
      "",
      ...notes,
    ].join("\n");
    console.log(`\n${table}\n`);
    mkdirSync(join(root, ".etcdlens"), { recursive: true });
    writeFileSync(join(root, ".etcdlens", "bench-latest.md"), `${table}\n`);
  } finally {
    server.kill("SIGTERM");
    await target.stop();
    for (const dir of archiveDirs) rmSync(dir, { recursive: true, force: true });
  }
}

main().catch((error: unknown) => {
  console.error(`bench: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}`);
  process.exit(1);
});
