"use client";

import { useSearchParams } from "next/navigation";
import { useMemo, useState } from "react";
import type { KeyDto, SecretValueDto } from "@/lib/api/dto";
import { secretValueUrl } from "@/lib/queries";
import { fetchJson } from "@/lib/queries/fetch-json";
import { useClusterName } from "@/components/cluster/cluster-scope";
import type { DecodedValue, JsonObject, JsonValue, KubernetesValue } from "@/lib/decode/types";
import { showsFieldNumbers } from "@/lib/decode/field-numbers";
import { toYaml } from "@/lib/decode/yaml";
import { Badge, ErrorPanel, NoticePanel } from "@/components/ui/panels";
import { CodeView } from "./code-view";
import { DownloadLink } from "./download-link";
import { HexDump } from "./hex-dump";
import { fileNameOf, RawActions, TextActions } from "./value-actions";

// The value in the form it was decoded to, with the raw bytes always one click away.

type View = "decoded" | "yaml" | "json" | "raw";

// The view is in the page URL as `?format=` (`view` already names the diff layout), so a copied
// link opens the same tab. A value the key does not offer falls back to its first view.
const FORMAT_PARAM = "format";

function readView(param: string | null, views: View[]): View {
  return views.find((name) => name === param) ?? views[0];
}

/** Puts the view into the address bar without a navigation; the first view is the default and left out. */
function writeView(view: View, views: View[]): void {
  const url = new URL(window.location.href);
  if (view === views[0]) url.searchParams.delete(FORMAT_PARAM);
  else url.searchParams.set(FORMAT_PARAM, view);
  window.history.replaceState(window.history.state, "", url.pathname + url.search + url.hash);
}

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
  const param = useSearchParams().get(FORMAT_PARAM);
  const [chosen, setChosen] = useState<View>(() => readView(param, views));
  const current = views.includes(chosen) ? chosen : views[0];

  function choose(name: View) {
    setChosen(name);
    writeView(name, views);
  }

  return (
    <div className="space-y-2">
      <div className="flex flex-wrap items-center gap-2">
        <Badge tone="blue">{FORMAT_LABEL[value.format]}</Badge>
        {isKubernetes ? <Badge>{value.encoding}</Badge> : null}
        {value.atRest ? (
          <Badge tone="green">
            decrypted: {value.atRest.provider} key {value.atRest.keyName}
          </Badge>
        ) : null}
        <div role="tablist" aria-label="Value view" className="ml-auto flex gap-1">
          {views.map((name) => (
            <button
              key={name}
              type="button"
              role="tab"
              aria-selected={current === name}
              onClick={() => choose(name)}
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
                The server allows revealing: <DownloadLink url={downloadUrl}>download the value</DownloadLink>.
              </>
            ) : null}
          </NoticePanel>
        ) : (
          <div className="space-y-2">
            <RawActions
              base64={data.raw.base64}
              truncated={data.raw.truncated}
              downloadUrl={downloadUrl}
              fileName={fileNameOf(keyBytes, "bin")}
            />
            <HexDump base64={data.raw.base64} totalSize={data.kv.size} downloadUrl={downloadUrl} />
          </div>
        )
      ) : isKubernetes ? (
        <KubernetesObjectView
          value={value}
          format={current === "json" ? "json" : "yaml"}
          keyBytes={keyBytes}
          secretSource={{ keyBytes, revision: data.kv.modRevision, revealAllowed: data.revealAllowed, revealRefusal: data.revealRefusal }}
        />
      ) : (
        <DecodedView value={value} keyBytes={keyBytes} revealRefusal={data.revealRefusal} />
      )}
    </div>
  );
}

function ShownText({ text, kind, keyBytes }: { text: string; kind: "text" | "json" | "yaml"; keyBytes: Uint8Array }) {
  const label = kind === "text" ? "text" : kind.toUpperCase();
  const extension = kind === "text" ? "txt" : kind;
  const mediaType = kind === "json" ? "application/json" : kind === "yaml" ? "application/yaml" : "text/plain";
  return (
    <>
      <TextActions text={text} label={label} fileName={fileNameOf(keyBytes, extension)} mediaType={mediaType} />
      <CodeView text={text} label="Value" />
    </>
  );
}

function DecodedView({ value, keyBytes, revealRefusal }: { value: DecodedValue; keyBytes: Uint8Array; revealRefusal?: string }) {
  switch (value.format) {
    case "empty":
      return <p className="text-sm text-slate-500">The value is empty (0 bytes).</p>;
    case "text":
      return <ShownText text={value.text} kind="text" keyBytes={keyBytes} />;
    case "json":
      return <ShownText text={JSON.stringify(value.data, null, 2)} kind="json" keyBytes={keyBytes} />;
    case "yaml":
      return <ShownText text={value.text} kind="yaml" keyBytes={keyBytes} />;
    case "cbor":
      return (
        <>
          {value.error ? <ErrorPanel title="The CBOR value is malformed">{value.error.message}</ErrorPanel> : null}
          <ShownText text={JSON.stringify(value.data, null, 2)} kind="json" keyBytes={keyBytes} />
        </>
      );
    case "undecodable-secret":
      return (
        <NoticePanel title={`Secret, not decodable: ${value.size.toLocaleString()} bytes`}>
          This value is {value.reason}. Nothing of it is shown
          {value.size > 0
            ? revealRefusal
              ? `; its raw bytes stay closed. ${revealRefusal}`
              : "; Raw offers its bytes for download."
            : "."}
        </NoticePanel>
      );
    case "encrypted":
      return (
        <NoticePanel title="Encrypted at rest">
          Kubernetes encrypted this value with the <strong>{value.provider}</strong> provider
          {value.kmsVersion ? ` (KMS ${value.kmsVersion})` : ""}, key <strong>{value.keyName || "(unnamed)"}</strong>
          {value.kms?.keyId ? (
            <>
              , KMS key ID <strong>{value.kms.keyId}</strong>
            </>
          ) : null}
          {value.kms
            ? `, a ${value.kms.encryptedDekBytes}-byte encrypted data key and ${value.kms.dataBytes.toLocaleString()} bytes of data`
            : ""}
          .{value.error ? ` Not decrypted: ${value.error.message}.` : " Its content stays opaque."}
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

type SecretSource = { keyBytes: Uint8Array; revision: number; revealAllowed: boolean; revealRefusal?: string };

type KubernetesObjectViewProps = { value: KubernetesValue; format: "yaml" | "json"; keyBytes: Uint8Array; secretSource: SecretSource };

function KubernetesObjectView({ value, format, keyBytes, secretSource }: KubernetesObjectViewProps) {
  const [showManagedFields, setShowManagedFields] = useState(false);
  const metadata = metadataOf(value.object);
  const managedFields = Array.isArray(metadata.managedFields) ? metadata.managedFields.length : 0;
  const shown = useMemo(() => (showManagedFields ? value.object : withoutManagedFields(value.object)), [showManagedFields, value.object]);
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
          {value.error.offset !== undefined ? ` (at byte ${value.error.offset})` : ""}. What could be read is shown below; the raw view has
          every byte.
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
          {secretSource.revealAllowed ? null : <p className="mt-1">{secretSource.revealRefusal}</p>}
        </NoticePanel>
      ) : null}
      {managedFields > 0 ? (
        <button type="button" className="text-xs font-medium text-blue-700 hover:underline" onClick={() => setShowManagedFields((v) => !v)}>
          {showManagedFields ? "Hide managedFields" : `Show managedFields (${managedFields})`}
        </button>
      ) : null}
      <TextActions
        text={rendered}
        label={format === "json" ? "JSON" : "YAML"}
        fileName={fileNameOf(keyBytes, format)}
        mediaType={format === "json" ? "application/json" : "application/yaml"}
      />
      <CodeView text={rendered} label="Value" />
    </div>
  );
}

function MaskedValueRow({ path, length, source }: { path: string[]; length: number; source: SecretSource }) {
  const [revealed, setRevealed] = useState<SecretValueDto | null>(null);
  const [error, setError] = useState<string | null>(null);
  const label = path.join(".");
  const cluster = useClusterName();

  async function reveal() {
    setError(null);
    try {
      setRevealed(await fetchJson<SecretValueDto>(secretValueUrl(cluster, source.keyBytes, source.revision, path)));
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
        <button
          type="button"
          className="rounded border border-amber-300 bg-white px-1.5 text-[11px] font-sans font-medium"
          onClick={() => void reveal()}
        >
          Reveal {label}
        </button>
      ) : null}
      {revealed ? (
        <>
          <code aria-label={`Value of ${label}`} className="rounded bg-white px-1 text-slate-900">
            {revealed.text ?? revealed.value}
          </code>
          {revealed.text !== undefined && revealed.encoding === "base64" ? (
            <span className="text-slate-500">(base64 {revealed.value})</span>
          ) : null}
          <button type="button" className="text-[11px] font-sans underline" onClick={() => setRevealed(null)}>
            Hide
          </button>
        </>
      ) : null}
      {error ? (
        <span role="alert" className="text-red-700">
          {error}
        </span>
      ) : null}
    </li>
  );
}
