"use client";

import { useState } from "react";
import { withCluster } from "@/lib/queries/cluster";
import { useClusterName } from "@/components/cluster/cluster-scope";

// Copies an absolute link to the clipboard. Falls back to a prompt-free text selection when the
// Clipboard API is unavailable (plain http on a non-loopback host).
export function CopyLinkButton({ href, label = "Copy link" }: { href?: string; label?: string }) {
  const [copied, setCopied] = useState(false);

  const cluster = useClusterName();

  async function copy() {
    const url = href ? new URL(withCluster(href, cluster), window.location.origin).toString() : window.location.href;
    try {
      await navigator.clipboard.writeText(url);
    } catch {
      const field = document.createElement("textarea");
      field.value = url;
      document.body.appendChild(field);
      field.select();
      document.execCommand("copy");
      field.remove();
    }
    setCopied(true);
    setTimeout(() => setCopied(false), 1500);
  }

  return (
    <button
      type="button"
      onClick={copy}
      className="rounded border border-slate-300 bg-white px-2 py-0.5 text-xs font-medium text-slate-700 hover:bg-slate-100"
    >
      {copied ? "Copied" : label}
    </button>
  );
}
