// A counting semaphore with a FIFO queue: at most `size` tasks run at once, the others wait in
// the order they came. A waiter whose signal aborts leaves the queue with the signal's reason.

type Waiter = { start: () => void };

export class Gate {
  private active = 0;
  private readonly queue: Waiter[] = [];

  constructor(private readonly size: number) {
    if (!Number.isInteger(size) || size < 1) throw new RangeError("a gate needs room for at least one task");
  }

  get running(): number {
    return this.active;
  }

  get waiting(): number {
    return this.queue.length;
  }

  async run<T>(task: () => Promise<T>, signal?: AbortSignal): Promise<T> {
    await this.enter(signal);
    try {
      return await task();
    } finally {
      this.leave();
    }
  }

  private enter(signal?: AbortSignal): Promise<void> {
    if (signal?.aborted) return Promise.reject(signal.reason);
    if (this.active < this.size) {
      this.active += 1;
      return Promise.resolve();
    }
    return new Promise<void>((resolve, reject) => {
      const onAbort = () => {
        const at = this.queue.indexOf(waiter);
        if (at >= 0) this.queue.splice(at, 1);
        reject(signal!.reason);
      };
      const waiter: Waiter = {
        start: () => {
          signal?.removeEventListener("abort", onAbort);
          resolve();
        },
      };
      signal?.addEventListener("abort", onAbort, { once: true });
      this.queue.push(waiter);
    });
  }

  private leave(): void {
    const next = this.queue.shift();
    // The slot passes straight to the next waiter: `active` stays as it is.
    if (next) next.start();
    else this.active -= 1;
  }
}
