"use client";

import { useState, type ReactNode } from "react";
import { requestFor } from "@/lib/queries/fetch-json";

// The way to a value's raw bytes. A plain link while its URL fits a GET; for a key too long for
// a URL (Node answers a request line over 16 KB with an empty 431) the bytes are fetched with
// the query in a POST body, as every API call does past that length, and saved from a blob. A
// link that names its own file is always fetched: Chromium prefers the server's
// Content-Disposition name (value.bin) over an <a download> name.

const FILE_NAME = "value.bin";

export function saveBlob(blob: Blob, fileName: string = FILE_NAME): void {
  const href = URL.createObjectURL(blob);
  const anchor = document.createElement("a");
  anchor.href = href;
  anchor.download = fileName;
  document.body.append(anchor);
  anchor.click();
  anchor.remove();
  // The download has started reading the blob; freeing it at once can cut it short in some browsers.
  setTimeout(() => URL.revokeObjectURL(href), 60_000);
}

async function refusalOf(response: Response): Promise<string> {
  const body = (await response.json().catch(() => undefined)) as { error?: { message?: string } } | undefined;
  return body?.error?.message ?? `the server answered ${response.status}`;
}

type DownloadLinkProps = { url: string; children: ReactNode; fileName?: string; className?: string };

export function DownloadLink({ url, children, fileName, className }: DownloadLinkProps) {
  const [state, setState] = useState<{ busy: boolean; problem?: string }>({ busy: false });
  const request = requestFor(url);
  if (request.init.method !== "POST" && fileName === undefined) {
    return (
      <a className="text-blue-700 underline" href={url}>
        {children}
      </a>
    );
  }

  async function download() {
    setState({ busy: true });
    try {
      const response = await fetch(request.url, {
        ...request.init,
        headers: { ...request.init.headers, accept: "application/octet-stream" },
      });
      if (!response.ok) return setState({ busy: false, problem: await refusalOf(response) });
      saveBlob(await response.blob(), fileName);
      setState({ busy: false });
    } catch {
      setState({ busy: false, problem: "the etcdlens server does not answer" });
    }
  }

  return (
    <>
      <button
        type="button"
        className={className ?? "text-blue-700 underline disabled:text-slate-500"}
        disabled={state.busy}
        onClick={download}
      >
        {children}
      </button>
      {state.problem ? (
        <span role="alert" className="ml-2 text-red-700">
          Download failed: {state.problem}
        </span>
      ) : null}
    </>
  );
}
