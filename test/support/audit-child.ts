// A dashboard process in miniature for the audit trail's tests: records what argv says through
// the real recordAudit (settings from its environment), then ends as told.
//   node --conditions=react-server --import tsx test/support/audit-child.ts record <n>   records n entries, flushes, exits
//   ... crash                                                             records one, then SIGKILLs itself
//   ... open                                                              opens the trail (the server's start), records twice
import { flushAuditTrail, openAuditTrail, recordAudit } from "@/lib/audit";

const [mode, count] = process.argv.slice(2);

const entry = (index: number) => ({
  user: "carol",
  groups: ["ops"],
  via: "proxy" as const,
  cluster: "default",
  key: Buffer.concat([Buffer.from(`/registry/secrets/child/s${index} é `), Buffer.from([0xfe])]),
  revision: 40 + index,
  action: "reveal" as const,
  outcome: "allowed" as const,
});

if (mode === "record") {
  for (let index = 0; index < Number(count); index += 1) recordAudit(entry(index));
  await flushAuditTrail();
} else if (mode === "crash") {
  recordAudit(entry(0));
  process.kill(process.pid, "SIGKILL");
} else if (mode === "open") {
  openAuditTrail();
  recordAudit(entry(0));
  recordAudit(entry(1));
  await flushAuditTrail();
} else {
  throw new Error(`unknown mode ${mode}`);
}
