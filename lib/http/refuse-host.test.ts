import { describe, expect, it } from "vitest";
import { refuseHost, refuseMisconfigured } from "./refuse-host";

const policy = { serverPort: 3000, allowed: [] };

describe("refuseHost", () => {
  it("answers the API's error shape under /api, naming the variable that would allow the name", async () => {
    const response = refuseHost("evil.example:3000", policy, true);
    expect(response.status).toBe(403);
    const body = await response.json();
    expect(body.error.code).toBe("forbidden");
    expect(body.error.message).toContain('"evil.example:3000" is not one of them');
    expect(body.error.message).toContain("ETCDLENS_ALLOWED_HOSTS");
  });

  it("answers a page that shows a hostile Host header as text, never as markup", async () => {
    const response = refuseHost('<img src=x onerror="alert(1)">', policy, false);
    expect(response.headers.get("content-type")).toBe("text/html; charset=utf-8");
    const page = await response.text();
    expect(page).not.toContain("<img");
    expect(page).toContain("&#60;img src=x onerror=&#34;alert(1)&#34;&#62;");
  });
});

describe("refuseMisconfigured", () => {
  it("closes the door with a 500 that names the setting", async () => {
    const response = refuseMisconfigured('invalid ETCDLENS_ALLOWED_HOSTS: "http://x/" is not a host name or host:port', true);
    expect(response.status).toBe(500);
    expect((await response.json()).error.message).toMatch(/^the server is misconfigured: invalid ETCDLENS_ALLOWED_HOSTS/);
  });
});
