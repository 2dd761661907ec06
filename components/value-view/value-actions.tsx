"use client";

import { useEffect, useState } from "react";
import { requestFor } from "@/lib/queries/fetch-json";
import { DownloadLink, saveBlob } from "./download-link";

// Copy and download for what the value pane shows. The text handed over is the very string the
// pane renders, so a masked Secret value stays masked in the clipboard and in the file.

const FEEDBACK_MS = 2_000;

const UNSAFE_IN_FILE_NAMES = /[\\/:*?"<>|\u0000-\u001f\u007f]/g;

/** A file name from the key's last non-empty segment: `/registry/deployments/shop/web` → `web.yaml`. */
export function fileNameOf(keyBytes: Uint8Array, extension: string): string {
  const text = new TextDecoder("utf-8", { fatal: false }).decode(keyBytes);
  const last = text.split("/").filter(Boolean).pop() ?? "";
  const safe = last.replace(UNSAFE_IN_FILE_NAMES, "_").replace(/^\.+/, "");
  return `${safe || "value"}.${extension}`;
}

type CopyState = { kind: "idle" } | { kind: "copied" } | { kind: "failed"; message: string };

function useCopy(): [CopyState, (read: () => string | Promise<string>) => Promise<void>] {
  const [state, setState] = useState<CopyState>({ kind: "idle" });
  useEffect(() => {
    if (state.kind !== "copied") return;
    const timer = setTimeout(() => setState({ kind: "idle" }), FEEDBACK_MS);
    return () => clearTimeout(timer);
  }, [state]);

  async function copy(read: () => string | Promise<string>) {
    try {
      await navigator.clipboard.writeText(await read());
      setState({ kind: "copied" });
    } catch (failure) {
      // Plain http on another host than localhost has no clipboard API at all.
      setState({ kind: "failed", message: failure instanceof Error ? failure.message : "the browser refused the clipboard" });
    }
  }
  return [state, copy];
}

const BUTTON = "rounded px-2 py-0.5 text-xs font-medium bg-white text-slate-700 ring-1 ring-slate-300 hover:bg-slate-100";

function CopyFeedback({ state }: { state: CopyState }) {
  return (
    <span role="status" className="text-xs text-slate-600">
      {state.kind === "copied" ? "Copied" : ""}
      {state.kind === "failed" ? <span className="text-red-700">Copy failed: {state.message}</span> : null}
    </span>
  );
}

/** Copy and download of a text view (YAML, JSON, the decoded text). */
export function TextActions({ text, label, fileName, mediaType }: { text: string; label: string; fileName: string; mediaType: string }) {
  const [state, copy] = useCopy();
  return (
    <div className="flex flex-wrap items-center gap-2" aria-label={`${label} actions`} role="group">
      <button type="button" className={BUTTON} onClick={() => void copy(() => text)}>
        Copy {label}
      </button>
      <button type="button" className={BUTTON} onClick={() => saveBlob(new Blob([text], { type: mediaType }), fileName)}>
        Download {label}
      </button>
      <CopyFeedback state={state} />
    </div>
  );
}

async function readAllBase64(url: string): Promise<string> {
  const request = requestFor(url);
  const response = await fetch(request.url, { ...request.init, headers: { ...request.init.headers, accept: "application/octet-stream" } });
  if (!response.ok) throw new Error(`the server answered ${response.status}`);
  const bytes = new Uint8Array(await response.arrayBuffer());
  let binary = "";
  for (let i = 0; i < bytes.length; i += 0x8000) binary += String.fromCharCode(...bytes.subarray(i, i + 0x8000));
  return btoa(binary);
}

/**
 * Copy of the raw bytes as base64 and their download. The preview holds only the first bytes of a
 * large value; copying one fetches the whole value from /api/raw, as the download does.
 */
export function RawActions({
  base64,
  truncated,
  downloadUrl,
  fileName,
}: {
  base64: string;
  truncated: boolean;
  downloadUrl: string;
  fileName: string;
}) {
  const [state, copy] = useCopy();
  return (
    <div className="flex flex-wrap items-center gap-2" aria-label="Raw actions" role="group">
      <button type="button" className={BUTTON} onClick={() => void copy(() => (truncated ? readAllBase64(downloadUrl) : base64))}>
        Copy base64
      </button>
      <DownloadLink url={downloadUrl} fileName={fileName} className={BUTTON}>
        Download raw
      </DownloadLink>
      <CopyFeedback state={state} />
    </div>
  );
}
