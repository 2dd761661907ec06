"use client";

import { useMemo, useState } from "react";
import type { KeyDto, SecretValueDto } from "@/lib/api/dto";
import { encodeKeyParam } from "@/lib/keys";
import { fetchJson } from "@/lib/queries/fetch-json";
import type { DecodedValue, JsonObject, JsonValue, KubernetesValue } from "@/lib/decode/types";
import { showsFieldNumbers } from "@/lib/decode/field-numbers";
import { toYaml } from "@/lib/decode/yaml";
import { Badge, ErrorPanel, NoticePanel } from "@/components/ui/panels";
import { CodeView } from "./code-view";
import { DownloadLink } from "./download-link";
import { HexDump } from "./hex-dump";

// The value in the form it was decoded to, with the raw bytes always one click away.

type View = "decoded" | "yaml" | "json" | "raw";

const FORMAT_LABEL: Record<DecodedValue["format"], string> = {
  empty: "empty",
  text: "text",
  json: "JSON",
  yaml: "YAML",
  binary: "binary",
  cbor: "CBOR",
  kubernetes: "Kubernetes",
  encrypted: "encrypted",
  "undecodable-secret": "Secret",
};

export function ValueBody({ data, downloadUrl, keyBytes }: { data: KeyDto; downloadUrl: string; keyBytes: Uint8Array }) {
  const value = data.value;
  const isKubernetes = value.format === "kubernetes";
  const views: View[] = isKubernetes ? ["yaml", "json", "raw"] : value.format === "binary" ? ["raw"] : ["decoded", "raw"];
  const [view, setView] = useState<View>(views[0]);
  const current = views.includes(view) ? view : views[0];

  return (
    <div className="space-y-2">
      <div className="flex flex-wrap items-center gap-2">
        <Badge tone="blue">{FORMAT_LABEL[value.format]}</Badge>
        {isKubernetes ? <Badge>{value.encoding}</Badge> : null}
        <div role="tablist" aria-label="Value view" className="ml-auto flex gap-1">
          {views.map((name) => (
            <button
              key={name}
              type="button"
              role="tab"
              aria-selected={current === name}
              onClick={() => setView(name)}
              className={`rounded px-2 py-0.5 text-xs font-medium ${
                current === name ? "bg-slate-800 text-white" : "bg-white text-slate-700 ring-1 ring-slate-300 hover:bg-slate-100"
              }`}
            >
              {name === "decoded" ? "Decoded" : name === "raw" ? "Raw" : name.toUpperCase()}
            </button>
          ))}
        </div>
      </div>
      {current === "raw" ? (
        data.raw.base64 === "" && data.kv.size > 0 ? (
          <NoticePanel title="Raw bytes hidden">
            This value is or holds a Secret; its bytes are not sent to the browser.
            {value.format === "undecodable-secret" && data.revealAllowed ? (
              <>
                {" "}
                The server allows revealing:{" "}
                <DownloadLink url={downloadUrl}>download the value</DownloadLink>
                .
              </>
            ) : null}
          </NoticePanel>
        ) : (
          <HexDump base64={data.raw.base64} totalSize={data.kv.size} downloadUrl={downloadUrl} />
        )
      ) : isKubernetes ? (
        <KubernetesObjectView
          value={value}
          format={current === "json" ? "json" : "yaml"}
          secretSource={{ keyBytes, revision: data.kv.modRevision, revealAllowed: data.revealAllowed }}
        />
      ) : (
        <DecodedView value={value} />
      )}
    </div>
  );
}

function DecodedView({ value }: { value: DecodedValue }) {
  switch (value.format) {
    case "empty":
      return <p className="text-sm text-slate-500">The value is empty (0 bytes).</p>;
    case "text":
      return <CodeView text={value.text} label="Value" />;
    case "json":
      return <CodeView text={JSON.stringify(value.data, null, 2)} label="Value" />;
    case "yaml":
      return <CodeView text={value.text} label="Value" />;
    case "cbor":
      return (
        <>
          {value.error ? <ErrorPanel title="The CBOR value is malformed">{value.error.message}</ErrorPanel> : null}
          <CodeView text={JSON.stringify(value.data, null, 2)} label="Value" />
        </>
      );
    case "undecodable-secret":
      return (
        <NoticePanel title={`Secret, not decodable: ${value.size.toLocaleString()} bytes`}>
          This value is {value.reason}. Nothing of it is shown
          {value.size > 0 ? "; its raw bytes stay closed unless the server is started with ETCDLENS_REVEAL_SECRETS=true" : ""}.
        </NoticePanel>
      );
    case "encrypted":
      return (
        <NoticePanel title="Encrypted at rest">
          Kubernetes encrypted this value with the <strong>{value.provider}</strong> provider
          {value.kmsVersion ? ` (KMS ${value.kmsVersion})` : ""}, key <strong>{value.keyName || "(unnamed)"}</strong>. Its content stays
          opaque.
        </NoticePanel>
      );
    default:
      return <p className="text-sm text-slate-500">Binary value: see the raw view.</p>;
  }
}

function metadataOf(object: JsonObject): JsonObject {
  const metadata = object.metadata;
  return metadata && typeof metadata === "object" && !Array.isArray(metadata) ? metadata : {};
}

function withoutManagedFields(object: JsonObject): JsonObject {
  const metadata = metadataOf(object);
  if (!("managedFields" in metadata)) return object;
  const rest = { ...metadata };
  delete rest.managedFields;
  return { ...object, metadata: rest };
}

function text(value: JsonValue | undefined): string | undefined {
  return typeof value === "string" && value !== "" ? value : undefined;
}

type SecretSource = { keyBytes: Uint8Array; revision: number; revealAllowed: boolean };

function KubernetesObjectView({ value, format, secretSource }: { value: KubernetesValue; format: "yaml" | "json"; secretSource: SecretSource }) {
  const [showManagedFields, setShowManagedFields] = useState(false);
  const metadata = metadataOf(value.object);
  const managedFields = Array.isArray(metadata.managedFields) ? metadata.managedFields.length : 0;
  const shown = useMemo(
    () => (showManagedFields ? value.object : withoutManagedFields(value.object)),
    [showManagedFields, value.object],
  );
  const rendered = useMemo(() => (format === "json" ? JSON.stringify(shown, null, 2) : toYaml(shown, { sortKeys: true })), [format, shown]);

  return (
    <div className="space-y-2">
      <dl aria-label="Object" className="grid grid-cols-[auto_1fr] gap-x-3 gap-y-0.5 rounded border border-slate-200 bg-white p-3 text-sm">
        <dt className="text-slate-500">kind</dt>
        <dd className="font-mono">
          {value.kind || "(none)"} <span className="text-slate-500">{value.apiVersion}</span>
        </dd>
        {text(metadata.namespace) ? (
          <>
            <dt className="text-slate-500">namespace</dt>
            <dd className="font-mono">{text(metadata.namespace)}</dd>
          </>
        ) : null}
        <dt className="text-slate-500">name</dt>
        <dd className="font-mono">{text(metadata.name) ?? "(none)"}</dd>
        {text(metadata.uid) ? (
          <>
            <dt className="text-slate-500">uid</dt>
            <dd className="font-mono">{text(metadata.uid)}</dd>
          </>
        ) : null}
      </dl>
      {value.error ? (
        <ErrorPanel title="This value could not be fully decoded">
          {value.error.message}
          {value.error.offset !== undefined ? ` (at byte ${value.error.offset})` : ""}. What could be read is shown below; the raw view
          has every byte.
        </ErrorPanel>
      ) : null}
      {showsFieldNumbers(value) ? (
        <NoticePanel title="No schema for this type">
          etcdlens has no schema for {value.apiVersion}/{value.kind}: metadata is decoded, the rest is shown by protobuf field number.
        </NoticePanel>
      ) : null}
      {value.masked.length > 0 ? (
        <NoticePanel title={`${value.masked.length} Secret value${value.masked.length === 1 ? "" : "s"} masked`}>
          <ul aria-label="Masked values" className="space-y-1 font-mono text-xs">
            {value.masked.map((masked) => (
              <MaskedValueRow key={masked.path.join(".")} path={masked.path} length={masked.length} source={secretSource} />
            ))}
          </ul>
          {secretSource.revealAllowed ? null : (
            <p className="mt-1">The server reveals Secret values only when started with ETCDLENS_REVEAL_SECRETS=true.</p>
          )}
        </NoticePanel>
      ) : null}
      {managedFields > 0 ? (
        <button type="button" className="text-xs font-medium text-blue-700 hover:underline" onClick={() => setShowManagedFields((v) => !v)}>
          {showManagedFields ? "Hide managedFields" : `Show managedFields (${managedFields})`}
        </button>
      ) : null}
      <CodeView text={rendered} label="Value" />
    </div>
  );
}

function MaskedValueRow({ path, length, source }: { path: string[]; length: number; source: SecretSource }) {
  const [revealed, setRevealed] = useState<SecretValueDto | null>(null);
  const [error, setError] = useState<string | null>(null);
  const label = path.join(".");

  async function reveal() {
    setError(null);
    try {
      const url = `/api/secret?key=${encodeKeyParam(source.keyBytes)}&rev=${source.revision}&path=${encodeURIComponent(JSON.stringify(path))}`;
      setRevealed(await fetchJson<SecretValueDto>(url));
    } catch (failure) {
      setError(failure instanceof Error ? failure.message : String(failure));
    }
  }

  return (
    <li className="flex flex-wrap items-center gap-2">
      <span>
        {label}: {length} bytes
      </span>
      {source.revealAllowed && !revealed ? (
        <button type="button" className="rounded border border-amber-300 bg-white px-1.5 text-[11px] font-sans font-medium" onClick={() => void reveal()}>
          Reveal {label}
        </button>
      ) : null}
      {revealed ? (
        <>
          <code aria-label={`Value of ${label}`} className="rounded bg-white px-1 text-slate-900">
            {revealed.text ?? revealed.value}
          </code>
          {revealed.text !== undefined && revealed.encoding === "base64" ? <span className="text-slate-500">(base64 {revealed.value})</span> : null}
          <button type="button" className="text-[11px] font-sans underline" onClick={() => setRevealed(null)}>
            Hide
          </button>
        </>
      ) : null}
      {error ? <span role="alert" className="text-red-700">{error}</span> : null}
    </li>
  );
}
