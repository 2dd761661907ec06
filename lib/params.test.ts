import { describe, expect, it } from "vitest";
import {
  leaseIdSchema,
  managerSchema,
  parseKeyParam,
  parseLeaseId,
  parseManager,
  parseRevision,
  parseRevisionOrTime,
  parseTime,
  readRevisionText,
  revisionProblem,
  revisionSchema,
} from "./params";

describe("parseRevision", () => {
  it("reads revisions exactly up to 2^53 - 1", () => {
    expect(readRevisionText("1")).toBe(1);
    expect(readRevisionText("9007199254740991")).toBe(9007199254740991);
    expect(parseRevision("42")).toEqual({ ok: true, value: 42 });
  });

  it("names none above 2^53 instead of a rounded neighbour, and says why", () => {
    expect(readRevisionText("9007199254740993")).toBeUndefined();
    expect(readRevisionText("999999999999999999")).toBeUndefined();
    expect(parseRevision("9007199254740993")).toEqual({ ok: false, message: "a revision is at most 9007199254740991" });
    expect(revisionProblem("999999999999999999")).toBe("a revision is at most 9007199254740991");
    expect(revisionSchema.safeParse("9007199254740993").error?.issues[0]?.message).toBe("a revision is at most 9007199254740991");
  });

  it("names none for text that is not a positive whole number", () => {
    for (const text of [undefined, "", "0", "-3", "064", "1e3", "12abc", " 5"])
      expect(readRevisionText(text), String(text)).toBeUndefined();
    expect(revisionProblem("12abc")).toBe("a revision is a positive whole number");
    expect(revisionSchema.safeParse("1e3").success).toBe(false);
  });
});

describe("parseLeaseId", () => {
  // etcdctl 3.4 against a real etcd: `lease grant` printed 694da233fee7a805; -w json gave its ID
  // in decimal.
  const etcdctlHex = "694da233fee7a805";
  const decimal = BigInt(`0x${etcdctlHex}`).toString();

  it("reads decimal, etcdctl's bare hex and 0x-hex as the same lease, answered in decimal", () => {
    expect(parseLeaseId(decimal)).toEqual({ ok: true, value: decimal });
    expect(parseLeaseId(etcdctlHex)).toEqual({ ok: true, value: decimal });
    expect(parseLeaseId(etcdctlHex.toUpperCase())).toEqual({ ok: true, value: decimal });
    expect(parseLeaseId(`0x${etcdctlHex}`)).toEqual({ ok: true, value: decimal });
    expect(leaseIdSchema.parse(etcdctlHex)).toBe(decimal);
  });

  it("reads etcdctl's zero-padded hex as hex, and other digits as decimal", () => {
    expect(parseLeaseId("00000000000000ff")).toEqual({ ok: true, value: "255" });
    expect(parseLeaseId("255")).toEqual({ ok: true, value: "255" });
    expect(parseLeaseId("0xff")).toEqual({ ok: true, value: "255" });
  });

  it("refuses what names no lease: 0, past int64, partial hex, signs and words", () => {
    for (const text of [
      "",
      "0",
      "0x0",
      "9223372036854775808",
      "0x8000000000000000",
      "18446744073709551615",
      "12abc",
      "-5",
      "0x",
      "abc",
      "lease",
      "694da233fee7a8051",
    ]) {
      const parsed = parseLeaseId(text);
      expect(parsed.ok, text).toBe(false);
      if (!parsed.ok) expect(parsed.message).toMatch(/^a lease ID is a decimal number or hex as etcdctl prints it/);
    }
    expect(parseLeaseId("9223372036854775807")).toEqual({ ok: true, value: "9223372036854775807" });
  });
});

describe("parseKeyParam", () => {
  it("decodes percent-encoded bytes and names the parameter when it cannot", () => {
    expect(parseKeyParam("key", "/a%20b%FF", true)).toEqual({ ok: true, value: Uint8Array.from([0x2f, 0x61, 0x20, 0x62, 0xff]) });
    expect(parseKeyParam("key", "/a%2", true)).toEqual({
      ok: false,
      message: '"key": "%" at position 2 is not followed by two hex digits',
    });
  });

  it("requires a key only where asked", () => {
    expect(parseKeyParam("key", undefined, true)).toEqual({ ok: false, message: 'the "key" parameter is required' });
    expect(parseKeyParam("key", "", true)).toEqual({ ok: false, message: 'the "key" parameter is required' });
    expect(parseKeyParam("prefix", undefined, false)).toEqual({ ok: true, value: new Uint8Array(0) });
  });
});

describe("parseManager", () => {
  it("reads a field manager's name, trimmed, up to the API server's 128 characters", () => {
    expect(parseManager(" kube-controller-manager ")).toEqual({ ok: true, value: "kube-controller-manager" });
    expect(parseManager("x".repeat(128))).toEqual({ ok: true, value: "x".repeat(128) });
    expect(managerSchema.safeParse("kubectl").data).toBe("kubectl");
  });

  it("refuses a blank or overlong name with a message", () => {
    expect(parseManager("  ")).toEqual({ ok: false, message: "a field manager is a name such as kubectl or kube-controller-manager" });
    expect(parseManager("x".repeat(129))).toEqual({ ok: false, message: "a field manager's name is at most 128 characters" });
    expect(managerSchema.safeParse("").success).toBe(false);
  });
});

describe("parseTime", () => {
  it("reads RFC 3339 times with a zone, fractions cut to milliseconds", () => {
    expect(parseTime("2026-11-20T09:05:10Z")).toEqual({ ok: true, value: Date.UTC(2026, 10, 20, 9, 5, 10) });
    expect(parseTime("2026-11-20T09:05:10.123456Z")).toEqual({ ok: true, value: Date.UTC(2026, 10, 20, 9, 5, 10, 123) });
    expect(parseTime("2026-11-20T10:05:10.5+01:00")).toEqual({ ok: true, value: Date.UTC(2026, 10, 20, 9, 5, 10, 500) });
    expect(parseTime("2026-11-20t04:35:10-04:30")).toEqual({ ok: true, value: Date.UTC(2026, 10, 20, 9, 5, 10) });
    // An unescaped "+" in a query string arrives as a space.
    expect(parseTime("2026-11-20T10:05:10 01:00")).toEqual({ ok: true, value: Date.UTC(2026, 10, 20, 9, 5, 10) });
  });

  it("refuses times without a zone, in other formats, or that do not exist", () => {
    for (const text of ["2026-11-20T09:05:10", "2026-11-20", "yesterday", "1795165510", "2026-11-20 09:05:10Z", ""]) {
      expect(parseTime(text).ok, text).toBe(false);
    }
    for (const text of ["2026-02-30T00:00:00Z", "2026-11-20T24:00:00Z", "2026-11-20T09:60:00Z", "2026-13-01T00:00:00Z"]) {
      expect(parseTime(text)).toEqual({ ok: false, message: `${text} is not a time that exists` });
    }
  });
});

describe("parseRevisionOrTime", () => {
  it("reads digits as a revision and anything else as a time", () => {
    expect(parseRevisionOrTime("812")).toEqual({ ok: true, value: { revision: 812 } });
    expect(parseRevisionOrTime("2026-11-20T09:05:10Z")).toEqual({ ok: true, value: { time: Date.UTC(2026, 10, 20, 9, 5, 10) } });
    expect(parseRevisionOrTime("0").ok).toBe(false);
    expect(parseRevisionOrTime("10:05").ok).toBe(false);
  });
});
