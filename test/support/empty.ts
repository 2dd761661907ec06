// Stands in for the "server-only" marker package under Vitest, which does not
// resolve the react-server export condition that makes it a no-op in Next.
export {};
