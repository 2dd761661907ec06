import "server-only";
import tar from "tar-stream";
import { readInTurn } from "@/lib/etcd/bulk-gate";
import { callEtcd } from "@/lib/etcd/call";
import type { ClusterConnection } from "@/lib/etcd/client";
import { range, type KeyValue, type RangeResult } from "@/lib/etcd/kv";
import { decodeValue, judgeSecret } from "@/lib/decode";
import { concatBytes, keyToDisplay } from "@/lib/keys";
import type { KeyRange } from "@/lib/search/scan-values";
import { toExportLine, renderTarFile, renderYamlEntry, type ExportEntry } from "./render";
import { describeStripping, type StrippedField } from "./strip";
import { keyToTarPath } from "./tar-path";

// An export streamed to its download: the keys of the ranges the viewer may read, pinned to one
// revision, read in pages as the reader takes them (a pull stream: the next page is read only
// when the response has room, so memory holds about one page, ~2 MiB, however large the prefix).
// Pages are sized like search's (lib/search/scan-values.ts): two keys first, then as many as fit
// in 2 MiB at the largest value seen, so no etcd response comes near gRPC's 4 MiB; and they take
// turns with the cluster's other bulk reads (lib/etcd/bulk-gate.ts).

export type ExportFormat = "yaml" | "jsonl" | "tar";

export type ExportRequest = {
  format: ExportFormat;
  ranges: readonly KeyRange[];
  /** The pinned revision (pinSearch): every page is read at it. */
  revision: number;
  total: number;
  keep: ReadonlySet<StrippedField>;
  mayReveal: (key: Uint8Array) => boolean;
  /** Called once, on the first Secret written unmasked: the route audits the export then. */
  onReveal: (key: Uint8Array) => void;
  /** Describes the export in the YAML header and the tar's notes: cluster, prefix. */
  title: string;
};

const BYTES_PER_READ = 2 * 1024 * 1024;
const FIRST_READ_KEYS = 2;
const MAX_READ_KEYS = 1000;

const encoder = new TextEncoder();

/** The keys of the ranges at the revision, page by page; a page is read only when the previous one was taken. */
export async function* readPagesAt(
  connection: ClusterConnection,
  ranges: readonly KeyRange[],
  revision: number,
  signal?: AbortSignal,
): AsyncGenerator<KeyValue[]> {
  let largest = 0;
  for (const { start, end } of ranges) {
    let from: Uint8Array | undefined = start;
    while (from) {
      const limit = largest === 0 ? FIRST_READ_KEYS : Math.min(MAX_READ_KEYS, Math.max(1, Math.floor(BYTES_PER_READ / largest)));
      const key: Uint8Array = from;
      const answer: RangeResult = await readInTurn(
        connection,
        () => callEtcd(connection, () => range(connection, { key, rangeEnd: end, limit, revision }), { revision }),
        signal,
      );
      for (const kv of answer.kvs) largest = Math.max(largest, kv.key.length + kv.value.length);
      const last = answer.kvs[answer.kvs.length - 1];
      from = answer.more && last ? concatBytes(last.key, Uint8Array.of(0)) : undefined;
      if (answer.kvs.length > 0) yield answer.kvs;
    }
  }
}

/** The export as a byte stream, and the counts the response headers carry. */
export function streamExport(connection: ClusterConnection, request: ExportRequest): ReadableStream<Uint8Array> {
  const stop = new AbortController();
  const pages = readPagesAt(connection, request.ranges, request.revision, stop.signal);
  const skipped: string[] = [];
  let revealed = false;
  let written = 0;
  const started = new Date();

  const entryOf = (kv: KeyValue): ExportEntry => {
    const reveal = request.mayReveal(kv.key);
    const decoded = decodeValue(kv.value, { key: kv.key, modRevision: kv.modRevision, revealSecrets: reveal });
    if (reveal && !revealed && decoded.format === "kubernetes" && judgeSecret(kv.value, kv.key) !== undefined) {
      revealed = true;
      request.onReveal(kv.key);
    }
    return { key: kv.key, value: kv.value, modRevision: kv.modRevision, createRevision: kv.createRevision, version: kv.version, decoded };
  };

  const header = [
    `etcdlens export of ${request.title} at revision ${request.revision}: ${request.total} keys, ${started.toISOString()}`,
    ...describeStripping(request.keep),
    "Keys that are not Kubernetes objects, and Secrets whose values are masked, are listed as comments and not exported.",
  ];

  if (request.format === "tar") return streamTar();

  let opened = false;
  return new ReadableStream<Uint8Array>(
    {
      async pull(controller) {
        if (!opened && request.format === "yaml") controller.enqueue(encoder.encode(header.map((line) => `# ${line}\n`).join("")));
        opened = true;
        const next = await pages.next();
        if (next.done) {
          if (request.format === "yaml") controller.enqueue(encoder.encode(`# end of export: ${written} keys\n`));
          controller.close();
          return;
        }
        let text = "";
        for (const kv of next.value) {
          const entry = entryOf(kv);
          text += request.format === "yaml" ? renderYamlEntry(entry, request.keep) : `${JSON.stringify(toExportLine(entry))}\n`;
          written += 1;
        }
        controller.enqueue(encoder.encode(text));
      },
      cancel() {
        stop.abort();
        void pages.return(undefined);
      },
    },
    { highWaterMark: 1 },
  );

  function streamTar(): ReadableStream<Uint8Array> {
    const pack = tar.pack();
    const chunks: Buffer[] = [];
    pack.on("data", (chunk) => chunks.push(chunk as Buffer));
    const add = (name: string, body: Uint8Array) =>
      new Promise<void>((resolve, reject) =>
        pack.entry(
          { name, size: body.length, mtime: started, mode: 0o644 },
          Buffer.from(body.buffer, body.byteOffset, body.length),
          (error) => (error ? reject(error) : resolve()),
        ),
      );
    const drain = (controller: ReadableStreamDefaultController<Uint8Array>) => {
      for (const chunk of chunks.splice(0)) controller.enqueue(new Uint8Array(chunk));
    };
    return new ReadableStream<Uint8Array>(
      {
        // A pull must enqueue something, or the stream never asks again: pages whose keys are all
        // skipped (masked Secrets) are read on until a file's bytes come out of the packer.
        async pull(controller) {
          while (chunks.length === 0) {
            const next = await pages.next();
            if (next.done) {
              const notes = [...header, "", `Not exported (${skipped.length}):`, ...skipped, ""].join("\n");
              await add("EXPORT-NOTES.txt", encoder.encode(notes));
              const ended = new Promise<void>((resolve) => pack.once("end", () => resolve()));
              pack.finalize();
              await ended;
              drain(controller);
              controller.close();
              return;
            }
            for (const kv of next.value) {
              const entry = entryOf(kv);
              const file = renderTarFile(entry, request.keep);
              written += 1;
              if ("skipped" in file) skipped.push(`${keyToDisplay(kv.key)}: ${file.skipped}`);
              else await add(keyToTarPath(kv.key, file.extension), file.body);
            }
            // The packer hands its bytes on a later turn.
            await new Promise((resolve) => setImmediate(resolve));
          }
          drain(controller);
        },
        cancel() {
          stop.abort();
          void pages.return(undefined);
          pack.destroy();
        },
      },
      { highWaterMark: 1 },
    );
  }
}
