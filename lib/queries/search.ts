import { useCallback, useEffect, useReducer, useRef } from "react";
import type { SearchHitDto, SearchStreamLineDto } from "@/lib/api/dto";
import { encodeKeyParam } from "@/lib/keys";
import { withCluster, type ClusterName } from "./cluster";
import { ApiError, readApiError, requestFor } from "./fetch-json";

// The browser's side of the streaming search (GET /api/search?stream=1, NDJSON): matches and
// progress are shown as they come, Cancel aborts the fetch (the server stops its scan when the
// connection closes), and More goes on from the last page's cursor at the same revision.
// A stream is no cacheable query, so this is a hook of its own rather than a TanStack query.

export type SearchParams = {
  prefix: string;
  q: string;
  /** A revision, or an RFC 3339 time (`at`). */
  rev?: number;
  at?: string;
};

/** The API URL of one streamed page of a search. */
export function searchStreamUrl(cluster: ClusterName, params: SearchParams, cursor?: string): string {
  const parts = [`prefix=${encodeKeyParam(new TextEncoder().encode(params.prefix))}`, `q=${encodeURIComponent(params.q)}`, "stream=1"];
  if (cursor) parts.push(`cursor=${encodeURIComponent(cursor)}`);
  else if (params.rev !== undefined) parts.push(`rev=${params.rev}`);
  else if (params.at) parts.push(`at=${encodeURIComponent(params.at)}`);
  return withCluster(`/api/search?${parts.join("&")}`, cluster);
}

/** The /search page URL that reproduces a search. */
export function searchPageHref(params: Partial<SearchParams>): string {
  const query = new URLSearchParams();
  if (params.prefix) query.set("prefix", params.prefix);
  if (params.q) query.set("q", params.q);
  if (params.rev !== undefined) query.set("rev", String(params.rev));
  else if (params.at) query.set("at", params.at);
  const text = query.toString();
  return text ? `/search?${text}` : "/search";
}

/** Splits NDJSON text into whole lines and the unfinished rest. */
export function splitNdjson(buffered: string): { lines: SearchStreamLineDto[]; rest: string } {
  const end = buffered.lastIndexOf("\n");
  if (end < 0) return { lines: [], rest: buffered };
  const lines = buffered
    .slice(0, end)
    .split("\n")
    .filter((line) => line.trim() !== "")
    .map((line) => JSON.parse(line) as SearchStreamLineDto);
  return { lines, rest: buffered.slice(end + 1) };
}

export type SearchState = {
  status: "idle" | "running" | "done" | "cancelled" | "error";
  items: SearchHitDto[];
  scanned: number;
  total: number;
  revision?: number;
  next: string | null;
  error?: ApiError;
};

type Action =
  | { type: "begin"; fresh: boolean }
  | { type: "line"; line: SearchStreamLineDto }
  | { type: "cancelled" }
  | { type: "failed"; error: ApiError };

const IDLE: SearchState = { status: "idle", items: [], scanned: 0, total: 0, next: null };

export function reduceSearch(state: SearchState, action: Action): SearchState {
  switch (action.type) {
    case "begin":
      return action.fresh ? { ...IDLE, status: "running" } : { ...state, status: "running", error: undefined };
    case "cancelled":
      return state.status === "running" ? { ...state, status: "cancelled" } : state;
    case "failed":
      return { ...state, status: "error", error: action.error };
    case "line": {
      const line = action.line;
      if (line.type === "start") return { ...state, revision: line.revision, total: line.total, scanned: line.scanned };
      if (line.type === "hit") return { ...state, items: [...state.items, line.item] };
      if (line.type === "progress") return { ...state, scanned: line.scanned, total: line.total };
      if (line.type === "end") return { ...state, status: "done", scanned: line.scanned, total: line.total, next: line.next };
      return { ...state, status: "error", error: new ApiError(200, line.error.code as ApiError["code"], line.error.message) };
    }
  }
}

/** Runs the search `params` names (none while undefined); a new search replaces the one running. */
export function useSearchStream(cluster: ClusterName, params: SearchParams | undefined) {
  const [state, dispatch] = useReducer(reduceSearch, IDLE);
  const running = useRef<AbortController | null>(null);

  const run = useCallback(
    async (search: SearchParams, cursor?: string) => {
      running.current?.abort();
      const controller = new AbortController();
      running.current = controller;
      dispatch({ type: "begin", fresh: cursor === undefined });
      try {
        const request = requestFor(searchStreamUrl(cluster, search, cursor));
        const response = await fetch(request.url, { ...request.init, signal: controller.signal });
        if (!response.ok || !response.body) throw await readApiError(response);
        const reader = response.body.getReader();
        const decoder = new TextDecoder();
        let rest = "";
        for (;;) {
          const { done, value } = await reader.read();
          if (done) break;
          const split = splitNdjson(rest + decoder.decode(value, { stream: true }));
          rest = split.rest;
          for (const line of split.lines) dispatch({ type: "line", line });
        }
      } catch (error) {
        if (controller.signal.aborted) return;
        dispatch({
          type: "failed",
          error: error instanceof ApiError ? error : new ApiError(0, "network", "the etcdlens server does not answer"),
        });
      }
    },
    [cluster],
  );

  useEffect(() => {
    if (params) void run(params);
    return () => running.current?.abort();
    // The search is its parameters: a new object with the same values is the same search.
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [run, params?.prefix, params?.q, params?.rev, params?.at]);

  const cancel = useCallback(() => {
    running.current?.abort();
    dispatch({ type: "cancelled" });
  }, []);
  const more = useCallback(() => {
    if (params && state.next) void run(params, state.next);
  }, [params, run, state.next]);
  return { state, cancel, more };
}
