import { describe, expect, it } from "vitest";
import { FailureLog } from "./failure-log";

const context = { cluster: "prod", purpose: "feed", endpoint: "http://10.0.0.1:2379" };

describe("FailureLog", () => {
  it("writes one line per failure with the cluster, purpose, endpoint, cause and next attempt", () => {
    const lines: string[] = [];
    const log = new FailureLog(
      (line) => lines.push(line),
      () => 0,
    );
    log.failed(context, "14 UNAVAILABLE: connect ECONNREFUSED", 180);
    expect(lines).toEqual([
      "etcdlens: watch (cluster prod, feed) on http://10.0.0.1:2379 failed: 14 UNAVAILABLE: connect ECONNREFUSED; next attempt in 180 ms",
    ]);
  });

  it("says a repeated cause once per interval with how often it came, and a new cause at once", () => {
    const lines: string[] = [];
    let now = 0;
    const log = new FailureLog(
      (line) => lines.push(line),
      () => now,
      30_000,
    );
    for (let i = 0; i < 20; i++) {
      log.failed(context, "connect ECONNREFUSED", 1_000);
      now += 1_000;
    }
    expect(lines).toHaveLength(1);
    now = 31_000;
    log.failed(context, "connect ECONNREFUSED", 30_000);
    expect(lines).toHaveLength(2);
    expect(lines[1]).toContain("(the same failure 19 more times since the last line)");
    log.failed(context, "no answer to a progress request within 10000 ms", 250);
    expect(lines).toHaveLength(3);
    log.failed({ ...context, purpose: "replay" }, "connect ECONNREFUSED", 250);
    expect(lines).toHaveLength(4);
    // Members of one cluster failing in turn are each rate-limited on their own.
    const other = { ...context, endpoint: "http://10.0.0.2:2379" };
    log.failed(other, "connect ECONNREFUSED", 250);
    log.failed(context, "no answer to a progress request within 10000 ms", 250);
    log.failed(other, "connect ECONNREFUSED", 250);
    expect(lines).toHaveLength(5);
  });

  it("says when a failing watch is live again, once", () => {
    const lines: string[] = [];
    const log = new FailureLog(
      (line) => lines.push(line),
      () => 0,
    );
    log.recovered(context, 0);
    log.failed(context, "cause", 10);
    log.recovered(context, 3);
    log.recovered(context, 3);
    expect(lines).toHaveLength(2);
    expect(lines[1]).toBe("etcdlens: watch (cluster prod, feed) live again on http://10.0.0.1:2379 after 3 failed attempts");
  });
});
