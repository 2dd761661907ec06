import { expect } from "@playwright/test";
import { Etcd3 } from "etcd3";

// The access matrix over HTTP, for each sign-in mode a spec sets up (proxy headers, bearer tokens,
// an OpenID Connect session): every route that reads keys, asked for a prefix the viewer's rule
// allows, one it denies, and a level it sees in part. The caller seeds the keys with seedMatrix,
// gives its viewer the rule matrixRule names, and passes how to ask as that viewer.

export type Answer = { status: number; body: string; contentType: string };

export type Asker = {
  /** The whole answer. */
  get(path: string): Promise<Answer>;
  /** Status and content type only, the body left unread: for the event stream, which never ends. */
  head(path: string): Promise<Omit<Answer, "body">>;
};

export type Matrix = { prefix: string; firstRevision: number; secondRevision: number; leaseId: string };

/** The rule that gives a viewer list and read on the matrix's open folder, and nothing else. */
export function matrixRule(prefix: string) {
  return { clusters: "*", prefixes: [`${prefix}open/`], rights: ["list", "read"] };
}

/** Writes the matrix's keys: an open and a closed folder, two revisions each, and one lease holding a key of both. */
export async function seedMatrix(endpoint: string, prefix: string): Promise<Matrix> {
  const client = new Etcd3({ hosts: endpoint });
  try {
    const firstRevision = Number((await client.put(`${prefix}open/app`).value("open one").exec()).header.revision);
    await client.put(`${prefix}closed/db`).value("closed one").exec();
    const secondRevision = Number((await client.put(`${prefix}open/app`).value("open two").exec()).header.revision);
    await client.put(`${prefix}closed/db`).value("closed two").exec();
    const lease = client.lease(600, { autoKeepAlive: false });
    await lease.put(`${prefix}open/leased`).value("open leased");
    await lease.put(`${prefix}closed/leased`).value("closed leased");
    const leaseId = await lease.grant();
    lease.release();
    return { prefix, firstRevision, secondRevision, leaseId };
  } finally {
    client.close();
  }
}

export async function removeMatrix(endpoint: string, matrix: Matrix): Promise<void> {
  const client = new Etcd3({ hosts: endpoint });
  try {
    await client.delete().prefix(matrix.prefix).exec();
    await client.leaseClient.leaseRevoke({ ID: matrix.leaseId }).catch(() => undefined);
  } finally {
    client.close();
  }
}

const CLOSED_WORDS = /closed (one|two|leased)/;

function json(answer: Answer): { [field: string]: unknown } {
  expect(answer.contentType, answer.body).toContain("json");
  return JSON.parse(answer.body) as { [field: string]: unknown };
}

async function expectRefused(ask: Asker, path: string): Promise<void> {
  const answer = await ask.get(path);
  expect(answer.status, `${path}: ${answer.body}`).toBe(403);
  expect(answer.body, path).not.toMatch(CLOSED_WORDS);
}

/** Asks every route as the viewer `ask` stands for, who holds matrixRule(matrix.prefix) and nothing else. */
export async function checkAccessMatrix(ask: Asker, matrix: Matrix): Promise<void> {
  const q = (text: string) => encodeURIComponent(text);
  const open = `${matrix.prefix}open/app`;
  const closed = `${matrix.prefix}closed/db`;
  const missing = `${matrix.prefix}closed/never-written`;

  // The tree: the level above both folders is seen in part (the open folder only), the open
  // folder whole, the closed one refused.
  const level = json(await ask.get(`/api/keys?prefix=${q(matrix.prefix)}`)) as { items: { name: string }[] };
  expect(level.items.map((item) => item.name)).toEqual(["open"]);
  const folder = json(await ask.get(`/api/keys?prefix=${q(`${matrix.prefix}open/`)}`)) as { items: { name: string }[] };
  expect(folder.items.map((item) => item.name)).toEqual(["app", "leased"]);
  await expectRefused(ask, `/api/keys?prefix=${q(`${matrix.prefix}closed/`)}`);

  // One key's routes: allowed on the open key; on the closed one, and on a closed name that does
  // not exist, the same 403.
  const value = await ask.get(`/api/key?key=${q(open)}`);
  expect(value.status, value.body).toBe(200);
  expect(value.body).toContain("open two");
  const history = await ask.get(`/api/history?key=${q(open)}`);
  expect(history.status, history.body).toBe(200);
  expect(history.body).toContain(String(matrix.firstRevision));
  const diff = await ask.get(`/api/diff?key=${q(open)}&from=${matrix.firstRevision}&to=${matrix.secondRevision}`);
  expect(diff.status, diff.body).toBe(200);
  const raw = await ask.get(`/api/raw?key=${q(open)}`);
  expect(raw.status).toBe(200);
  expect(raw.body).toBe("open two");
  for (const key of [closed, missing]) {
    await expectRefused(ask, `/api/key?key=${q(key)}`);
    await expectRefused(ask, `/api/history?key=${q(key)}`);
    await expectRefused(ask, `/api/diff?key=${q(key)}&from=${matrix.firstRevision}&to=${matrix.secondRevision}`);
    await expectRefused(ask, `/api/raw?key=${q(key)}`);
  }
  // Revealing needs the reveal right, which the rule does not give, even on the open folder.
  await expectRefused(ask, `/api/secret?key=${q(open)}&path=${q(JSON.stringify(["data", "x"]))}`);

  // The change feed over the whole matrix shows the open folder's changes only.
  const changes = json(await ask.get(`/api/changes?prefix=${q(matrix.prefix)}&limit=100`)) as { items: { key: string }[] };
  expect(changes.items.length).toBeGreaterThan(0);
  expect(changes.items.every((item) => item.key.startsWith(`${matrix.prefix}open/`))).toBe(true);
  await expectRefused(ask, `/api/changes?prefix=${q(`${matrix.prefix}closed/`)}`);

  // Completion suggests only what may be listed, and nothing (not a 403) under the closed folder.
  const suggested = json(await ask.get(`/api/complete?q=${q(matrix.prefix)}`)) as { items: { name: string }[] };
  expect(suggested.items.map((item) => item.name)).toEqual(["open"]);
  const closedSuggestions = json(await ask.get(`/api/complete?q=${q(`${matrix.prefix}closed/`)}`)) as { items: unknown[] };
  expect(closedSuggestions.items).toEqual([]);

  // The table of a folder, the live stream (refused before it opens), the lease's keys.
  expect((await ask.get(`/api/table?prefix=${q(`${matrix.prefix}open/`)}`)).status).toBe(200);
  await expectRefused(ask, `/api/table?prefix=${q(`${matrix.prefix}closed/`)}`);
  const stream = await ask.head(`/api/watch?prefix=${q(`${matrix.prefix}open/`)}`);
  expect(stream.status).toBe(200);
  expect(stream.contentType).toContain("text/event-stream");
  const refusedStream = await ask.head(`/api/watch?prefix=${q(`${matrix.prefix}closed/`)}`);
  expect(refusedStream.status).toBe(403);
  const lease = json(await ask.get(`/api/leases?id=${matrix.leaseId}`)) as {
    keys: { key: string }[];
    totalKeys: number;
    someHidden?: true;
  };
  expect(lease.keys.map((entry) => entry.key)).toEqual([`${matrix.prefix}open/leased`]);
  expect(lease).toMatchObject({ totalKeys: 1, someHidden: true });
}
