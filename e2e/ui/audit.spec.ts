import { spawn, type ChildProcess } from "node:child_process";
import { mkdirSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { expect, test } from "@playwright/test";
import { Etcd3 } from "etcd3";
import { encodeKubernetesObject } from "@/lib/decode";
import { keyHref } from "@/lib/keys";
import { findFreePort, scratchDir } from "@/scripts/lib/etcd-process";
import { readState } from "../support/state";

// A Secret revealed in Chromium is on the audit trail: a dashboard of its own (the production
// build, revealing allowed, ETCDLENS_AUDIT_LOG a file) shows the value after the click, the file
// holds the JSON line, and /audit lists the entry with its key and revision, filterable.

const root = process.cwd();
const nextBin = join(root, "node_modules", "next", "dist", "bin", "next");
const dir = scratchDir(join(tmpdir(), "etcdlens-e2e"), "audit");
const logPath = join(dir, "audit.log");
// A name no Kubernetes would write but etcd holds: a ':' and a space, and non-ASCII.
const key = Buffer.from("/registry/secrets/audit-e2e/db: créds");
let server: ChildProcess | undefined;
let base = "";
let revision = 0;

test.beforeAll(async () => {
  mkdirSync(dir, { recursive: true });
  const writer = new Etcd3({ hosts: readState().etcd.endpoint });
  const secret = {
    apiVersion: "v1",
    kind: "Secret",
    metadata: { name: "db", namespace: "audit-e2e", uid: "u-audit", creationTimestamp: "2026-01-01T00:00:00Z" },
    type: "Opaque",
    data: { password: Buffer.from("s3cr3t-for-audit").toString("base64") },
  };
  const put = await writer
    .put(key)
    .value(Buffer.from(encodeKubernetesObject(secret)))
    .exec();
  revision = Number(put.header.revision);
  writer.close();
  const port = await findFreePort();
  server = spawn(process.execPath, [nextBin, "start", "--hostname", "127.0.0.1", "--port", String(port)], {
    cwd: root,
    env: {
      ...process.env,
      NEXT_TELEMETRY_DISABLED: "1",
      ETCDLENS_CONFIG: "",
      ETCDCTL_ENDPOINTS: readState().etcd.endpoint,
      ETCDLENS_REVEAL_SECRETS: "true",
      ETCDLENS_AUDIT_LOG: logPath,
      ETCDLENS_DATA_DIR: join(dir, "archive"),
      PORT: String(port),
    },
    stdio: ["ignore", "ignore", "inherit"],
  });
  base = `http://127.0.0.1:${port}`;
  const deadline = Date.now() + 60_000;
  for (;;) {
    const up = await fetch(`${base}/api/healthz`).then(
      (response) => response.ok,
      () => false,
    );
    if (up) break;
    if (Date.now() > deadline) throw new Error("the audited dashboard did not start");
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
});

test.afterAll(() => {
  if (server && server.exitCode === null) server.kill("SIGTERM");
  rmSync(dir, { recursive: true, force: true });
});

test("revealing a Secret value writes an audit line, listed on /audit with its key and revision", async ({ page }) => {
  await page.goto(`${base}${keyHref(key)}`);
  await page.getByRole("button", { name: "Reveal data.password" }).click();
  await expect(page.getByLabel("Value of data.password")).toHaveText("s3cr3t-for-audit");

  const lines = readFileSync(logPath, "utf8")
    .trimEnd()
    .split("\n")
    .map((line) => JSON.parse(line));
  expect(lines).toEqual([
    expect.objectContaining({
      action: "reveal",
      outcome: "allowed",
      user: "anonymous",
      via: "none",
      cluster: "default",
      key: "/registry/secrets/audit-e2e/db: créds",
      revision,
      field: ["data", "password"],
    }),
  ]);

  await page.goto(`${base}/audit`);
  await expect(page.getByRole("heading", { name: "Audit trail" })).toBeVisible();
  const row = page.getByRole("row").filter({ hasText: "/registry/secrets/audit-e2e/db: créds" });
  await expect(row).toHaveCount(1);
  await expect(row.getByRole("cell").nth(2)).toHaveText("reveal");
  await expect(row.getByRole("cell").nth(3)).toHaveText("allowed");
  await expect(row.getByRole("cell").nth(6)).toHaveText(String(revision));
  await expect(row.getByRole("cell").nth(7)).toHaveText("data.password");
  await expect(row.getByRole("link", { name: "/registry/secrets/audit-e2e/db: créds" })).toHaveAttribute(
    "href",
    `${keyHref(key, { rev: revision })}&cluster=default`,
  );

  // Filtering by an outcome it does not have leaves it out; by its own keeps it.
  await page.getByLabel("Outcome").selectOption("denied");
  await page.getByRole("button", { name: "Filter" }).click();
  await expect(page).toHaveURL(/outcome=denied/);
  await expect(page.getByText("No entries.")).toBeVisible();
  await page.getByLabel("Outcome").selectOption("allowed");
  await page.getByLabel("Action").selectOption("reveal");
  await page.getByRole("button", { name: "Filter" }).click();
  await expect(page.getByRole("row").filter({ hasText: "/registry/secrets/audit-e2e/db: créds" })).toHaveCount(1);
});
