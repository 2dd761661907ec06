import { describe, expect, it } from "vitest";
import { Gate } from "./gate";

function deferred(): { promise: Promise<void>; resolve: () => void } {
  let resolve!: () => void;
  const promise = new Promise<void>((done) => (resolve = done));
  return { promise, resolve };
}

describe("Gate", () => {
  it("runs at most its size at once and the rest in the order they came", async () => {
    const gate = new Gate(2);
    const started: number[] = [];
    const finish = [0, 1, 2, 3, 4].map(() => deferred());
    let peak = 0;
    const runs = finish.map((each, index) =>
      gate.run(async () => {
        started.push(index);
        peak = Math.max(peak, gate.running);
        await each.promise;
        return index;
      }),
    );
    await Promise.resolve();
    expect(started).toEqual([0, 1]);
    expect(gate.waiting).toBe(3);
    finish[1].resolve();
    await runs[1];
    await Promise.resolve();
    expect(started).toEqual([0, 1, 2]);
    for (const each of finish) each.resolve();
    expect(await Promise.all(runs)).toEqual([0, 1, 2, 3, 4]);
    expect(started).toEqual([0, 1, 2, 3, 4]);
    expect(peak).toBe(2);
    expect({ running: gate.running, waiting: gate.waiting }).toEqual({ running: 0, waiting: 0 });
  });

  it("frees the slot when a task fails, and drops a waiter whose request went away", async () => {
    const gate = new Gate(1);
    const hold = deferred();
    const first = gate.run(() => hold.promise);
    const controller = new AbortController();
    const abandoned = gate.run(async () => "never", controller.signal);
    const after = gate.run(async () => "ran");
    expect(gate.waiting).toBe(2);
    controller.abort(new Error("gone"));
    await expect(abandoned).rejects.toThrow("gone");
    expect(gate.waiting).toBe(1);
    hold.resolve();
    await first;
    expect(await after).toBe("ran");
    await expect(gate.run(async () => Promise.reject(new Error("read failed")))).rejects.toThrow("read failed");
    expect(await gate.run(async () => "still open")).toBe("still open");
    expect(gate.running).toBe(0);
  });
});
