// What lib/etcd/cluster.ts reads about a cluster, in its own types so that lib/etcd imports nothing
// from the wire layer; lib/api/dto.ts sends them as they are. Member IDs are uint64: strings, never numbers.

export type Member = { id: string; idHex: string; name: string; peerUrls: string[]; clientUrls: string[]; isLearner: boolean };

export type EndpointStatus = {
  endpoint: string;
  ok: boolean;
  error?: string;
  memberIdHex?: string;
  version?: string;
  dbSize?: number;
  dbSizeInUse?: number;
  isLeader?: boolean;
  raftIndex?: number;
  raftTerm?: number;
  raftAppliedIndex?: number;
  isLearner?: boolean;
  errors?: string[];
};

export type Alarm = { memberId: string; memberIdHex: string; alarm: string };
