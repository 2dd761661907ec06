// npm run seed:demo — writes the demo data into the etcd named by ETCDCTL_ENDPOINTS (plain
// connections only). The dashboard itself never writes; this script is for trying it out.
import { Etcd3 } from "etcd3";
import { seedDemoData } from "./lib/demo-data";

const endpoints = (process.env.ETCDCTL_ENDPOINTS ?? "127.0.0.1:2379").split(",").map((e) => e.trim());
const client = new Etcd3({ hosts: endpoints });
seedDemoData(client)
  .then((writes) => console.log(`wrote ${writes} demo entries to ${endpoints.join(", ")}`))
  .catch((error: unknown) => {
    console.error(`seeding failed: ${error instanceof Error ? error.message : String(error)}`);
    process.exitCode = 1;
  })
  .finally(() => client.close());
