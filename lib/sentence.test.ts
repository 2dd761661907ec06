import { describe, expect, it } from "vitest";
import { toSentence } from "./sentence";

describe("toSentence", () => {
  it("ends a message with one full stop", () => {
    expect(toSentence("nothing accepts connections at 127.0.0.1:2379 (connection refused)")).toBe(
      "nothing accepts connections at 127.0.0.1:2379 (connection refused).",
    );
    expect(toSentence("etcd connection is misconfigured: ETCDCTL_CACERT cannot be read.")).toBe(
      "etcd connection is misconfigured: ETCDCTL_CACERT cannot be read.",
    );
  });

  it("drops the empty 'Resolution note:' gRPC ends its messages with, instead of making '…: .' of it", () => {
    const grpc =
      "etcd is unreachable at 127.0.0.1:2379: 14 UNAVAILABLE: No connection established. Last error: connect ECONNREFUSED 127.0.0.1:2379. Resolution note: ";
    const sentence = toSentence(grpc);
    expect(sentence).toBe(
      "etcd is unreachable at 127.0.0.1:2379: 14 UNAVAILABLE: No connection established. Last error: connect ECONNREFUSED 127.0.0.1:2379.",
    );
    expect(sentence).not.toMatch(/:\s*\.$|\.\.$/);
  });

  it("keeps an endpoint's port and a question, and says nothing for nothing", () => {
    expect(toSentence("etcd is unreachable at 127.0.0.1:2379")).toBe("etcd is unreachable at 127.0.0.1:2379.");
    expect(toSentence("is etcd running?")).toBe("is etcd running?");
    expect(toSentence("  ")).toBe("");
    expect(toSentence("Resolution note: ")).toBe("");
  });
});
