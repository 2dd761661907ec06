// Names in the benchmark keyspace that both the seeder and the benchmark use.

export const NAMESPACE_COUNT = 200;
/** The namespace with 50,000 events (at 1,000,000 keys): the leaf-page benchmark lists it. */
export const BIG_NAMESPACE = "bench-big";
/** The key written 10,000 times, for the history benchmark. */
export const HOT_KEY = "/registry/configmaps/bench-history/hot";
