// The merge walk of two key-ordered streams: each key once, with what each side holds. Only the
// current page of each side is held, however long the streams are.

export type Keyed = { key: Uint8Array };
export type Paired<T extends Keyed> = { key: Uint8Array; left?: T; right?: T };

/** Pages of keys in byte order, on each side, merged into one key-ordered walk. */
export async function* mergeByKey<T extends Keyed>(left: AsyncIterable<T[]>, right: AsyncIterable<T[]>): AsyncGenerator<Paired<T>> {
  const sides = [flatten(left), flatten(right)];
  let [l, r] = await Promise.all(sides.map((side) => side.next()));
  while (!l.done || !r.done) {
    const order = l.done ? 1 : r.done ? -1 : Buffer.compare(l.value.key, r.value.key);
    if (order < 0) {
      yield { key: l.value!.key, left: l.value };
      l = await sides[0].next();
    } else if (order > 0) {
      yield { key: r.value!.key, right: r.value };
      r = await sides[1].next();
    } else {
      yield { key: l.value!.key, left: l.value, right: r.value };
      [l, r] = await Promise.all(sides.map((side) => side.next()));
    }
  }
}

async function* flatten<T>(pages: AsyncIterable<T[]>): AsyncGenerator<T> {
  for await (const page of pages) yield* page;
}
