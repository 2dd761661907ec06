import "server-only";
import { readFileSync } from "node:fs";
import {
  circuitBreaker,
  ConsecutiveBreaker,
  handleWhen,
  noop,
  retry,
  TaskCancelledError,
  timeout,
  TimeoutStrategy,
  wrap,
  type IDefaultPolicyContext,
  type IPolicy,
} from "cockatiel";
import { GRPCDeadlineExceededError, isRecoverableError, type IOptions } from "etcd3";
import { AppError } from "@/lib/errors";
import {
  ConfigurationError,
  describeSetting,
  getServerSettings,
  type ClusterSettings,
  type NamedCluster,
  type SettingField,
} from "@/lib/env";
import { EtcdClient } from "./etcd-client";
import { loadAtRestKeys } from "@/lib/encryption/load-config";

// One client per configured cluster, reused across requests: a gRPC channel is expensive to open
// and etcd3 keeps per-endpoint circuit breakers for failover that must outlive a request.

export type ClusterConnection = {
  client: EtcdClient;
  settings: ClusterSettings;
  /** A client bound to one configured endpoint, for per-member status; made on first use. */
  forEndpoint: (endpoint: string) => EtcdClient;
  /** The endpoints as the operator wrote them, for error messages; never sent with secrets. */
  describeEndpoints: () => string;
};

// Large enough for one page of values; listing asks for keys only, and no request asks etcd for
// more than a page, so this is a guard rather than a budget.
const MAX_RECEIVE_BYTES = 64 * 1024 * 1024;

/**
 * The whole budget of one unary request, retries included. etcd3 retries a failed call up to three
 * more times, each attempt with a fresh gRPC deadline, so a member that keeps its connection open
 * but never answers (frozen, a stuck disk) held a request for four deadlines and more. Here the
 * attempts share one deadline: when it passes the request fails, whatever attempt is running.
 */
class RequestDeadline implements IPolicy {
  declare readonly _altReturn: never;
  private readonly policy: IPolicy;

  constructor(private readonly ms: number) {
    this.policy = wrap(timeout(ms, TimeoutStrategy.Aggressive), retry(handleWhen(isRecoverableError), { maxAttempts: 3 }));
  }

  get onSuccess() {
    return this.policy.onSuccess;
  }

  get onFailure() {
    return this.policy.onFailure;
  }

  async execute<T>(fn: (context: IDefaultPolicyContext) => PromiseLike<T> | T, signal?: AbortSignal): Promise<T> {
    try {
      return await this.policy.execute(fn, signal);
    } catch (error) {
      // instanceof, not cockatiel's isTaskCancelledError: in 3.2.1 that tests for a bulkhead's error.
      if (error instanceof TaskCancelledError && !signal?.aborted) {
        throw new GRPCDeadlineExceededError(`etcd did not answer within ${this.ms} ms`);
      }
      throw error;
    }
  }
}

// The message names the setting, not the path: it is shown in the browser. The cause keeps the
// path and the reason for the server's log.
function readTlsFile(settings: ClusterSettings, field: SettingField, path: string): Buffer {
  try {
    return readFileSync(path);
  } catch (error) {
    throw new ConfigurationError(`${describeSetting(settings as Partial<NamedCluster>, field)}: the file cannot be read`, { cause: error });
  }
}

function buildOptions(settings: ClusterSettings): IOptions {
  const options: IOptions = {
    hosts: settings.endpoints,
    dialTimeout: settings.requestTimeoutMs,
    grpcOptions: { "grpc.max_receive_message_length": MAX_RECEIVE_BYTES },
    // Unary calls get a deadline so that a black-holed endpoint fails over instead of hanging a
    // page; watch streams are long-lived by design.
    defaultCallOptions: (context) => (context.isStream ? {} : { deadline: Date.now() + settings.requestTimeoutMs }),
    // A circuit breaker only helps to skip a dead member when there is another to try. With one
    // endpoint it would turn every request for seconds after an outage into "circuit open", even
    // once etcd is back; without it each request simply tries, and fails or succeeds on its own.
    faultHandling: {
      global: new RequestDeadline(settings.requestTimeoutMs),
      host: () =>
        settings.endpoints.length > 1
          ? circuitBreaker(handleWhen(isRecoverableError), { halfOpenAfter: 2_000, breaker: new ConsecutiveBreaker(3) })
          : noop,
    },
  };
  if (settings.caFile || settings.certFile) {
    options.credentials = {
      rootCertificate: settings.caFile ? readTlsFile(settings, "cacert", settings.caFile) : (undefined as unknown as Buffer),
      certChain: settings.certFile ? readTlsFile(settings, "cert", settings.certFile) : undefined,
      privateKey: settings.keyFile ? readTlsFile(settings, "key", settings.keyFile) : undefined,
    };
  }
  if (settings.username) {
    options.auth = { username: settings.username, password: settings.password ?? "" };
  }
  return options;
}

export function connectCluster(settings: ClusterSettings): ClusterConnection {
  const perEndpoint = new Map<string, EtcdClient>();
  // The RPC metrics' cluster label: a configured name (few, chosen by the operator), never an endpoint.
  const metricsName = (settings as Partial<NamedCluster>).name ?? "unnamed";
  return {
    client: new EtcdClient(buildOptions(settings), metricsName),
    settings,
    forEndpoint: (endpoint) => {
      if (!settings.endpoints.includes(endpoint)) throw new Error(`${endpoint} is not a configured endpoint`);
      let client = perEndpoint.get(endpoint);
      if (!client) {
        client = new EtcdClient(buildOptions({ ...settings, endpoints: [endpoint] }), metricsName);
        perEndpoint.set(endpoint, client);
      }
      return client;
    },
    describeEndpoints: () => settings.endpoints.join(", "),
  };
}

// Cached on globalThis so that Next's dev-mode module reloading does not leak channels.
const globalCache = globalThis as unknown as { etcdlensConnections?: Map<string, ClusterConnection> };

/**
 * The connection to a configured cluster, by name; the default (first) cluster without one. A
 * request can only choose among the clusters the operator configured, never an endpoint.
 */
export function getCluster(name?: string): ClusterConnection {
  const { clusters } = getServerSettings();
  const settings = name === undefined || name === "" ? clusters[0] : clusters.find((cluster) => cluster.name === name);
  if (!settings) {
    throw new AppError("bad_request", `no cluster named "${name}"; configured: ${clusters.map((cluster) => cluster.name).join(", ")}`);
  }
  const connections = (globalCache.etcdlensConnections ??= new Map());
  let connection = connections.get(settings.name);
  if (!connection) {
    // Values read through any connection decrypt with the API server's keys, when configured.
    loadAtRestKeys();
    connection = connectCluster(settings);
    connections.set(settings.name, connection);
  }
  return connection;
}

/** The configured name of a cluster asked for by name or by default (as getCluster resolves it): the archive's key. */
export function getClusterName(name?: string): string {
  getCluster(name);
  return name === undefined || name === "" ? getServerSettings().clusters[0].name : name;
}

/** The configured clusters' names and default prefixes: what the browser may know of them. */
export function listClusterNames(): { name: string; defaultPrefix?: string }[] {
  return getServerSettings().clusters.map(({ name, defaultPrefix }) => ({ name, defaultPrefix }));
}
