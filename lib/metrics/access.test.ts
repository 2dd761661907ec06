import { describe, expect, it } from "vitest";
import { ConfigurationError, parseMetricsSettings } from "@/lib/env";
import { metricsOpenWithoutSignIn } from "./access";

const TOKEN = "d41d8cd98f00b204e9800998ecf8427e-scrape";
const bearer = (token: string) => new Headers({ authorization: `Bearer ${token}` });

describe("metricsOpenWithoutSignIn", () => {
  it("opens /metrics to anyone on a server bound to loopback, which nobody else can reach", () => {
    for (const HOST of [undefined, "", "127.0.0.1", "localhost", "::1", "[::1]"]) {
      expect(metricsOpenWithoutSignIn(new Headers(), parseMetricsSettings({ HOST })), String(HOST)).toBe(true);
    }
  });

  it("on any other address, opens it only to the metrics token", () => {
    const settings = parseMetricsSettings({ HOST: "0.0.0.0", ETCDLENS_METRICS_TOKEN: TOKEN });
    expect(metricsOpenWithoutSignIn(bearer(TOKEN), settings)).toBe(true);
    expect(metricsOpenWithoutSignIn(new Headers({ authorization: `bearer  ${TOKEN} ` }), settings)).toBe(true);
    expect(metricsOpenWithoutSignIn(new Headers(), settings)).toBe(false);
    expect(metricsOpenWithoutSignIn(bearer(TOKEN.slice(0, -1)), settings)).toBe(false);
    expect(metricsOpenWithoutSignIn(bearer(`${TOKEN}x`), settings)).toBe(false);
    expect(metricsOpenWithoutSignIn(new Headers({ authorization: `Basic ${TOKEN}` }), settings)).toBe(false);
    expect(metricsOpenWithoutSignIn(bearer(TOKEN), parseMetricsSettings({ HOST: "10.0.0.5" }))).toBe(false);
  });

  it("refuses a token short enough to guess", () => {
    expect(() => parseMetricsSettings({ ETCDLENS_METRICS_TOKEN: "secret" })).toThrow(ConfigurationError);
    expect(() => parseMetricsSettings({ ETCDLENS_METRICS_TOKEN: "a b".repeat(10) })).toThrow(/no spaces/);
  });
});
