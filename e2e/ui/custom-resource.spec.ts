import { expect, test, type Page } from "@playwright/test";
import { Etcd3 } from "etcd3";
import { DEMO_KEYS } from "@/scripts/lib/demo-data";
import { pageOf } from "../support/api";
import { readState } from "../support/state";

// A custom resource is stored as JSON: every field has its name, so no "no schema" notice is due.
// The notice stays for what it describes, a protobuf object of a type etcdlens has no schema for.

const valueText = (page: Page) => page.getByLabel("Value", { exact: true }).last();

test("a JSON custom resource is shown whole without the protobuf 'no schema' notice", async ({ page }) => {
  await page.goto(pageOf(DEMO_KEYS.widget));
  await expect(valueText(page)).toContainText("color: blue");
  await expect(valueText(page)).toContainText("size: 3");
  await expect(page.getByText("No schema for this type")).toHaveCount(0);
  await expect(page.getByText("shown by protobuf field number")).toHaveCount(0);
});

test("a protobuf object of a type without schema still says its fields are shown by number", async ({ page }) => {
  const writer = new Etcd3({ hosts: readState().etcd.endpoint });
  const key = "/demo/custom-resource/proto-gadget";
  try {
    // envelope { typeMeta { apiVersion "example.com/v1", kind "Gadget" }, raw { metadata { name "g" }, field 2 { field 1: 7 } } }
    const text = (value: string) => [...Buffer.from(value)];
    const raw = [0x0a, 0x03, 0x0a, 0x01, 0x67, 0x12, 0x02, 0x08, 0x07];
    const typeMeta = [0x0a, 0x0e, ...text("example.com/v1"), 0x12, 0x06, ...text("Gadget")];
    await writer
      .put(key)
      .value(Buffer.from([...text("k8s\u0000"), 0x0a, typeMeta.length, ...typeMeta, 0x12, raw.length, ...raw]))
      .exec();
    await page.goto(pageOf(key));
    await expect(page.getByText("No schema for this type")).toBeVisible();
    await expect(page.getByText("etcdlens has no schema for example.com/v1/Gadget")).toBeVisible();
  } finally {
    await writer.delete().key(key).exec();
    writer.close();
  }
});
