import { execFileSync, spawn, type ChildProcess } from "node:child_process";
import { chownSync, existsSync, mkdirSync, realpathSync, rmSync } from "node:fs";
import { dirname, join } from "node:path";
import pg from "pg";
import { findFreePort } from "./etcd-process";
import { POSTGRES_INITDB, requireProgram } from "./system-deps";

// Starts a private PostgreSQL server for the archive's tests: a fresh cluster (initdb) in its own
// folder, listening on a free port of 127.0.0.1 and on a unix socket in that folder, with one
// empty database. Nothing here touches a PostgreSQL the machine already runs.

export type PostgresOptions = {
  /** The folder that holds the data directory and the unix socket; it is emptied first. */
  rootDir: string;
  /** The database to create (a plain lower-case SQL name); default "etcdlens". */
  database?: string;
  port?: number;
  quiet?: boolean;
};

export type PostgresProcess = {
  /** postgres://postgres@127.0.0.1:PORT/DATABASE; the server trusts every local connection. */
  url: string;
  port: number;
  database: string;
  rootDir: string;
  /** The running postmaster's process ID (it changes on restart). */
  pid: () => number | undefined;
  /** Stops PostgreSQL (fast shutdown: open sessions are ended) and waits for it to exit; the data stays. */
  stop: () => Promise<void>;
  /** Starts it again on the same port and data. */
  restart: () => Promise<void>;
  /** Stops it and deletes its folder. */
  remove: () => Promise<void>;
  /** Creates another empty database (a plain lower-case SQL name) and returns its URL. */
  createDatabase: (name: string) => Promise<string>;
  /** Drops a database, ending the sessions still connected to it. */
  dropDatabase: (name: string) => Promise<void>;
};

type RunAs = { uid: number; gid: number } | undefined;

// PostgreSQL refuses to run as root (initdb and postgres both exit), and CI runs the tests as root;
// there the server runs as Debian's `postgres` user. Node sets the child's user itself rather than
// going through runuser, because runuser answers a SIGTERM by killing its child with SIGKILL two
// seconds later, which would turn every stop into a crash recovery on the next start.
function chooseUser(): RunAs {
  if (typeof process.getuid !== "function" || process.getuid() !== 0) return undefined;
  try {
    const id = (flag: string) => Number(execFileSync("id", [flag, "postgres"], { encoding: "utf8" }).trim());
    return { uid: id("-u"), gid: id("-g") };
  } catch {
    throw new Error(
      "PostgreSQL does not run as root and there is no `postgres` user to run it as (Debian's postgresql package creates one)",
    );
  }
}

function initCluster(initdb: string, dataDir: string, runAs: RunAs): void {
  // --no-sync: a test cluster need not survive a power cut, and syncing every file of a new
  // cluster costs seconds on a slow disk.
  const args = ["-D", dataDir, "-U", "postgres", "--auth=trust", "--encoding=UTF8", "--locale=C", "--no-sync", "--no-instructions"];
  try {
    execFileSync(initdb, args, { cwd: dirname(dataDir), stdio: ["ignore", "pipe", "pipe"], ...runAs });
  } catch (error) {
    const output = error as { stdout?: Buffer; stderr?: Buffer };
    throw new Error(`initdb failed:\n${output.stdout?.toString() ?? ""}${output.stderr?.toString() ?? ""}`, { cause: error });
  }
}

function serverArgs(dataDir: string, socketDir: string, port: number): string[] {
  return [
    "-D",
    dataDir,
    "-p",
    String(port),
    "-h",
    "127.0.0.1",
    "-k",
    socketDir,
    // The same trade as --no-sync: a crash of the test process or of PostgreSQL itself loses
    // nothing (the kernel still has the pages); only a crash of the machine would.
    "-c",
    "fsync=off",
    "-c",
    "full_page_writes=off",
  ];
}

async function querySucceeds(port: number, database: string, sql: string): Promise<boolean> {
  const client = new pg.Client({ host: "127.0.0.1", port, user: "postgres", database, connectionTimeoutMillis: 2_000 });
  // Without a listener a connection reset during startup would be an uncaught 'error' event.
  client.on("error", () => {});
  try {
    await client.connect();
    await client.query(sql);
    return true;
  } catch (error) {
    // 57P03: "the database system is starting up"; a refused connection: not listening yet.
    const code = (error as { code?: string }).code;
    if (code === "57P03" || code === "ECONNREFUSED" || code === "ECONNRESET") return false;
    throw error;
  } finally {
    await client.end().catch(() => {});
  }
}

// The port opens before PostgreSQL accepts sessions (it answers "starting up" until recovery is
// done), so readiness is a query that succeeds.
async function waitUntilServing(child: ChildProcess, port: number, output: () => string): Promise<void> {
  const deadline = Date.now() + 30_000;
  while (Date.now() < deadline) {
    if (child.exitCode !== null || child.signalCode !== null)
      throw new Error(`postgres exited (${child.exitCode ?? child.signalCode}):\n${output()}`);
    if (await querySucceeds(port, "postgres", "SELECT 1")) return;
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  throw new Error(`postgres did not start within 30 s:\n${output()}`);
}

function checkDatabaseName(name: string): string {
  if (!/^[a-z_][a-z0-9_]*$/.test(name)) throw new Error(`not a plain database name: ${name}`);
  return name;
}

export async function startPostgres(options: PostgresOptions): Promise<PostgresProcess> {
  const database = checkDatabaseName(options.database ?? "etcdlens");
  const initdb = realpathSync(requireProgram(POSTGRES_INITDB, "INITDB_BIN"));
  const server = join(dirname(initdb), "postgres");
  if (!existsSync(server)) throw new Error(`no postgres server program beside ${initdb}`);
  const runAs = chooseUser();
  const { rootDir } = options;
  const dataDir = join(rootDir, "data");
  rmSync(rootDir, { recursive: true, force: true });
  // The folders above stay as the umask makes them, so that the postgres user can reach its own.
  mkdirSync(dirname(rootDir), { recursive: true });
  mkdirSync(rootDir, { mode: 0o700 });
  if (runAs) chownSync(rootDir, runAs.uid, runAs.gid);
  initCluster(initdb, dataDir, runAs);
  const port = options.port ?? (await findFreePort());
  let child: ChildProcess | undefined;

  const launch = async () => {
    let log = "";
    child = spawn(server, serverArgs(dataDir, rootDir, port), { cwd: rootDir, stdio: ["ignore", "pipe", "pipe"], ...runAs });
    const collect = (chunk: Buffer) => {
      log = (log + chunk.toString()).slice(-20_000);
      if (!options.quiet && /\b(ERROR|FATAL|PANIC):/.test(chunk.toString())) process.stderr.write(chunk);
    };
    child.stdout?.on("data", collect);
    child.stderr?.on("data", collect);
    await waitUntilServing(child, port, () => log);
  };

  const stop = async () => {
    const running = child;
    if (!running || running.exitCode !== null || running.signalCode !== null) return;
    // SIGINT is PostgreSQL's fast shutdown; SIGTERM (smart) would wait for every client,
    // including a pool some test forgot to end.
    await new Promise<void>((resolve) => {
      running.once("exit", () => resolve());
      running.kill("SIGINT");
      setTimeout(() => running.kill("SIGKILL"), 10_000).unref();
    });
  };

  const urlOf = (name: string) => `postgres://postgres@127.0.0.1:${port}/${name}`;
  const administer = async (sql: string) => {
    if (!(await querySucceeds(port, "postgres", sql))) throw new Error(`postgres is not running (${sql})`);
  };
  const createDatabase = async (name: string) => {
    await administer(`CREATE DATABASE ${checkDatabaseName(name)}`);
    return urlOf(name);
  };

  await launch();
  await createDatabase(database);
  return {
    url: urlOf(database),
    port,
    database,
    rootDir,
    pid: () => child?.pid,
    stop,
    restart: async () => {
      await stop();
      await launch();
    },
    remove: async () => {
      await stop();
      rmSync(rootDir, { recursive: true, force: true });
    },
    createDatabase,
    dropDatabase: (name: string) => administer(`DROP DATABASE IF EXISTS ${checkDatabaseName(name)} WITH (FORCE)`),
  };
}
