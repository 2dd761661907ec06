import { expect, test } from "@playwright/test";
import { DEMO_KEYS } from "@/scripts/lib/demo-data";
import { pageOf, param } from "../support/api";

// Revisions and lease IDs as people paste them, read by one rule (lib/params.ts) on the pages and
// in the API: past 2^53 a revision is refused with a message, never rounded to a neighbour; a
// lease ID etcdctl printed opens on the page and in the API alike.

const TOO_BIG = "9007199254740993";
const AT_MOST = "a revision is at most 9007199254740991";

test("a revision past 2^53 is refused with a message by the API, the key page and the change feed", async ({ page, request }) => {
  const api = await request.get(`/api/key?key=${param("/test/hoge")}&rev=${TOO_BIG}`);
  expect(api.status()).toBe(400);
  expect((await api.json()).error.message).toBe(`"rev": ${AT_MOST}`);

  await page.goto(pageOf("/test/hoge", { rev: TOO_BIG }));
  await expect(page.getByText(`"${TOO_BIG}" is not a revision: ${AT_MOST}`)).toBeVisible();

  // The feed once read up to 18 digits with Number(): this asked for revision 9007199254740992.
  await page.goto(`/changes?from=${TOO_BIG}`);
  await expect(page.getByText(`"from" is not a revision or a time: ${AT_MOST} ("${TOO_BIG}")`)).toBeVisible();
});

test("a lease ID in decimal, as etcdctl prints it, or 0x-hex opens on the page and in the API, and a bad one is refused by both", async ({
  page,
  request,
}) => {
  const key = await request.get(`/api/key?key=${param(DEMO_KEYS.masterLease)}`);
  const decimal = (await key.json()).kv.lease as string;
  // etcdctl prints %016x. (Were all 16 digits 0-9 without a leading 0, about 1 ID in 2,000, the
  // bare form would read as decimal: lib/params.ts says so, and this test would fail, loudly.)
  const etcdctl = BigInt(decimal).toString(16).padStart(16, "0");
  for (const id of [decimal, etcdctl, `0x${etcdctl}`]) {
    const answer = await request.get(`/api/leases?id=${id}`);
    expect(answer.status(), id).toBe(200);
    expect((await answer.json()).id, id).toBe(decimal);
    await page.goto(`/leases/${id}`);
    await expect(page.getByRole("heading", { name: /^Lease / })).toContainText(decimal);
    await expect(page.getByRole("list", { name: "Attached keys" }).getByRole("link", { name: DEMO_KEYS.masterLease })).toBeVisible();
  }

  for (const id of ["12abc", "0"]) {
    const answer = await request.get(`/api/leases?id=${id}`);
    expect(answer.status(), id).toBe(400);
    const message = (await answer.json()).error.message as string;
    expect(message).toMatch(/^"id": a lease ID is a decimal number or hex as etcdctl prints it/);
    await page.goto(`/leases/${id}`);
    await expect(page.getByText(`"${id}" is not a lease ID: ${message.slice('"id": '.length)}.`)).toBeVisible();
  }
});
