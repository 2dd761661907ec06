import "server-only";
import type { Alarm, EndpointStatus, Member } from "./cluster-types";
import type { ClusterConnection } from "./client";
import { range, type ResponseHeader } from "./kv";
import { toAppError } from "./errors";

// A key nobody writes: a count over it is the cheapest request that returns a response header.
const HEADER_PROBE_KEY = Buffer.from("\u0000etcdlens/header-probe");

/** The cluster and member IDs, current revision and raft term, as etcdctl's JSON header shows them. */
export async function getClusterHeader(connection: ClusterConnection): Promise<ResponseHeader> {
  const result = await range(connection, { key: HEADER_PROBE_KEY, countOnly: true });
  return result.header;
}

function hex(id: string): string {
  return BigInt(id).toString(16);
}

export async function listMembers(connection: ClusterConnection): Promise<Member[]> {
  const response = await connection.client.cluster.memberList({});
  return (response.members ?? []).map((member) => ({
    id: String(member.ID),
    idHex: hex(String(member.ID)),
    name: member.name ?? "",
    peerUrls: member.peerURLs ?? [],
    clientUrls: member.clientURLs ?? [],
    isLearner: Boolean(member.isLearner),
  }));
}

export async function listAlarms(connection: ClusterConnection): Promise<Alarm[]> {
  const response = await connection.client.maintenance.alarm({ action: "Get", memberID: 0, alarm: "None" });
  return (response.alarms ?? []).map((alarm) => ({
    memberId: String(alarm.memberID),
    memberIdHex: hex(String(alarm.memberID)),
    // etcd3 names the enum's values "Nospace" and "Corrupt"; etcdctl and etcd's logs say NOSPACE and CORRUPT.
    alarm: String(alarm.alarm).toUpperCase(),
  }));
}

// Asks each configured endpoint on its own, like `etcdctl endpoint status --cluster=false`: one
// endpoint down must show as down with its error while the others still report.
export async function getEndpointStatuses(connection: ClusterConnection): Promise<EndpointStatus[]> {
  return Promise.all(
    connection.settings.endpoints.map(async (endpoint): Promise<EndpointStatus> => {
      try {
        const status = await connection.forEndpoint(endpoint).maintenance.status({});
        const memberId = String(status.header.member_id);
        return {
          endpoint,
          ok: true,
          memberIdHex: hex(memberId),
          version: status.version,
          dbSize: Number(status.dbSize),
          dbSizeInUse: Number(status.dbSizeInUse ?? 0),
          isLeader: String(status.leader) === memberId,
          raftIndex: Number(status.raftIndex),
          raftTerm: Number(status.raftTerm),
          raftAppliedIndex: Number(status.raftAppliedIndex ?? 0),
          isLearner: Boolean(status.isLearner),
          errors: status.errors ?? [],
        };
      } catch (error) {
        // Worded for the browser, as every error the API answers (lib/etcd/errors.ts).
        return { endpoint, ok: false, error: toAppError(error, { ...connection, describeEndpoints: () => endpoint }).message };
      }
    }),
  );
}
