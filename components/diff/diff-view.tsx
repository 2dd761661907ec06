"use client";

import { Link } from "@/components/ui/link";
import { useClusterName, useClusterRouter } from "@/components/cluster/cluster-scope";
import { useMemo, useState } from "react";
import { useQuery } from "@tanstack/react-query";
import type { DiffDto, DiffSideDto, FieldChangeDto } from "@/lib/api/dto";
import { compileNoise, formatValueShort, isKubernetesPair, renderForDiff, stripNoise } from "@/lib/diff";
import { formatManager } from "@/lib/diff/managers";
import { isNoise } from "@/lib/diff/noise";
import { keyQueries } from "@/lib/queries";
import { isApiError } from "@/lib/queries/fetch-json";
import { CopyLinkButton } from "@/components/ui/copy-link-button";
import { ErrorPanel, Loading, NoticePanel } from "@/components/ui/panels";
import { ReadFromNote } from "@/components/archive/read-from-note";
import { TextDiff } from "./text-diff";
import { viewHref, type ViewState } from "./view-state";

// Two versions of a key compared: the changed fields, then the text of both renderings line by
// line, split or unified. Layout and noise settings live in the URL, so a copied link shows the same.

type DiffViewProps = { keyBytes: Uint8Array; from: number; to: number; state: ViewState };

export function DiffView({ keyBytes, from, to, state }: DiffViewProps) {
  const router = useClusterRouter();
  const query = useQuery(keyQueries.diff(useClusterName(), keyBytes, from, to));
  const go = (change: Partial<ViewState>) => router.replace(viewHref(keyBytes, { ...state, ...change }), { scroll: false });
  const closeHref = viewHref(keyBytes, { rev: state.rev });

  return (
    <section aria-label="Comparison" className="space-y-3">
      <div className="flex flex-wrap items-center gap-2">
        <h2 className="text-sm font-semibold">
          Comparing revision {from} → {to}
        </h2>
        <CopyLinkButton label="Copy diff link" href={viewHref(keyBytes, state)} />
        <Link href={closeHref} className="text-xs font-medium text-blue-700 hover:underline">
          Close comparison
        </Link>
        <div role="group" aria-label="Diff layout" className="ml-auto flex gap-1">
          {(["split", "unified"] as const).map((layout) => (
            <button
              key={layout}
              type="button"
              aria-pressed={state.layout === layout}
              onClick={() => go({ layout })}
              className={`rounded px-2 py-0.5 text-xs font-medium ${
                state.layout === layout ? "bg-slate-800 text-white" : "bg-white text-slate-700 ring-1 ring-slate-300 hover:bg-slate-100"
              }`}
            >
              {layout === "split" ? "Split" : "Unified"}
            </button>
          ))}
        </div>
      </div>
      <ReadFromNote readFrom={query.data?.readFrom} />
      {query.isPending ? <Loading label="Comparing…" /> : null}
      {query.isError ? (
        isApiError(query.error, "compacted") ? (
          <NoticePanel title="One of these revisions has been compacted">
            etcd no longer keeps history before revision {query.error.compactRevision}.{" "}
            {query.error.compactRevision ? (
              <Link
                className="text-blue-700 underline"
                href={viewHref(keyBytes, { ...state, compare: Math.max(from, query.error.compactRevision) })}
              >
                Compare with the oldest revision still available ({query.error.compactRevision})
              </Link>
            ) : null}
          </NoticePanel>
        ) : (
          <ErrorPanel title="Could not compare these revisions">{query.error.message}</ErrorPanel>
        )
      ) : null}
      {query.data ? <DiffBody data={query.data} state={state} onChange={go} /> : null}
    </section>
  );
}

function sideLabel(side: DiffSideDto): string {
  if (!side.kv) return `revision ${side.revision} (no key)`;
  return `revision ${side.revision} · v${side.kv.version}${side.kv.modRevision !== side.revision ? ` (rev ${side.kv.modRevision})` : ""}`;
}

function DiffBody({ data, state, onChange }: { data: DiffDto; state: ViewState; onChange: (change: Partial<ViewState>) => void }) {
  const kubernetes = isKubernetesPair(data.from.value, data.to.value);
  const hideNoise = kubernetes && state.hideNoise;
  const filter = useMemo(() => compileNoise(hideNoise ? state.noiseFields : []), [hideNoise, state.noiseFields]);
  const changes = useMemo(
    () => data.changes.filter((item) => !hideNoise || !isNoise(item.segments, filter)),
    [data.changes, hideNoise, filter],
  );
  const hiddenCount = data.changes.length - changes.length;
  const texts = useMemo(() => {
    const render = (side: DiffSideDto) => {
      const value = side.value;
      const object = value?.format === "kubernetes" && hideNoise ? stripNoise(value.object, filter) : undefined;
      return renderForDiff(value, object);
    };
    return { old: render(data.from), new: render(data.to) };
  }, [data, hideNoise, filter]);

  return (
    <div className="space-y-3">
      {!data.from.kv ? (
        <NoticePanel title={`The key did not exist at revision ${data.from.revision}`}>The older side is empty.</NoticePanel>
      ) : null}
      {!data.to.kv ? (
        <NoticePanel title={`The key did not exist at revision ${data.to.revision}`}>The newer side is empty.</NoticePanel>
      ) : null}
      {kubernetes ? <NoiseControls state={state} hiddenCount={hiddenCount} onChange={onChange} /> : null}
      <ChangedFields changes={changes} structured={data.changes.length > 0 || texts.old.language !== "text"} />
      {texts.old.language === "none" || texts.new.language === "none" ? (
        <ByteSummary data={data} />
      ) : (
        <TextDiff
          oldText={texts.old.text}
          newText={texts.new.text}
          layout={state.layout}
          fromLabel={sideLabel(data.from)}
          toLabel={sideLabel(data.to)}
        />
      )}
    </div>
  );
}

function ChangedFields({ changes, structured }: { changes: FieldChangeDto[]; structured: boolean }) {
  if (!structured) return null;
  return (
    <section aria-label="Changed fields" className="rounded border border-slate-200 bg-white p-3 text-sm">
      <h3 className="mb-1 text-xs font-semibold uppercase tracking-wide text-slate-500">Changed fields ({changes.length})</h3>
      {changes.length === 0 ? <p className="text-slate-500">No field changed.</p> : null}
      <ul className="space-y-0.5 font-mono text-xs">
        {changes.slice(0, 200).map((item) => (
          <li key={`${item.path}-${item.kind}`} className="break-all">
            <span className="font-semibold">{item.path || "(whole value)"}</span>:{" "}
            {item.masked ? (
              <span className="text-amber-800">
                {item.kind === "changed" ? "changed" : item.kind} (masked Secret value
                {item.oldLength !== undefined || item.newLength !== undefined
                  ? `, ${[item.oldLength, item.newLength].filter((length) => length !== undefined).join(" → ")} bytes`
                  : ""}
                )
              </span>
            ) : (
              <>
                <span className="text-red-800">{formatValueShort(item.old)}</span> →{" "}
                <span className="text-emerald-800">{formatValueShort(item.new)}</span>
              </>
            )}
            {item.owners?.length ? (
              <span className="font-sans text-slate-500"> · owned by {item.owners.map(formatManager).join(", ")}</span>
            ) : null}
          </li>
        ))}
      </ul>
      {changes.length > 200 ? <p className="mt-1 text-xs text-slate-500">and {changes.length - 200} more</p> : null}
    </section>
  );
}

function NoiseControls({
  state,
  hiddenCount,
  onChange,
}: {
  state: ViewState;
  hiddenCount: number;
  onChange: (change: Partial<ViewState>) => void;
}) {
  const [draft, setDraft] = useState("");
  return (
    <div className="flex flex-wrap items-start gap-3 text-sm">
      <label className="flex items-center gap-1.5">
        <input type="checkbox" checked={state.hideNoise} onChange={(event) => onChange({ hideNoise: event.target.checked })} />
        Hide noise
        {state.hideNoise && hiddenCount > 0 ? <span className="text-xs text-slate-500">({hiddenCount} hidden)</span> : null}
      </label>
      <details className="text-xs">
        <summary className="cursor-pointer text-blue-700">Noise fields ({state.noiseFields.length})</summary>
        <ul aria-label="Noise fields" className="mt-1 space-y-0.5 font-mono">
          {state.noiseFields.map((field) => (
            <li key={field} className="flex items-center gap-2">
              {field}
              <button
                type="button"
                aria-label={`Remove ${field}`}
                className="text-red-700 hover:underline"
                onClick={() => onChange({ noiseFields: state.noiseFields.filter((item) => item !== field) })}
              >
                remove
              </button>
            </li>
          ))}
        </ul>
        <form
          className="mt-1 flex gap-1"
          onSubmit={(event) => {
            event.preventDefault();
            const field = draft.trim();
            if (field && !state.noiseFields.includes(field) && !field.includes(","))
              onChange({ noiseFields: [...state.noiseFields, field] });
            setDraft("");
          }}
        >
          <input
            aria-label="Add a noise field"
            placeholder="status.conditions[*].lastUpdateTime"
            value={draft}
            onChange={(event) => setDraft(event.target.value)}
            className="w-72 rounded border border-slate-300 px-1 font-mono"
          />
          <button type="submit" className="rounded border border-slate-300 px-2">
            Add
          </button>
        </form>
      </details>
    </div>
  );
}

function ByteSummary({ data }: { data: DiffDto }) {
  const bytes = data.bytes;
  if (!bytes) return <p className="text-sm text-slate-500">These values have no text to compare.</p>;
  return (
    <section aria-label="Byte differences" className="rounded border border-slate-200 bg-white p-3 text-sm">
      {bytes.equal ? (
        <p>The bytes are identical ({bytes.oldSize.toLocaleString()} bytes).</p>
      ) : bytes.differingBytes === null ? (
        <p>
          Changed (a Secret: only the sizes are shown): {bytes.oldSize.toLocaleString()} → {bytes.newSize.toLocaleString()} bytes.
        </p>
      ) : (
        <p>
          {bytes.oldSize.toLocaleString()} → {bytes.newSize.toLocaleString()} bytes; {bytes.differingBytes.toLocaleString()} bytes differ,
          the first at offset {bytes.firstDifference?.toLocaleString()} (0x{bytes.firstDifference?.toString(16)}).
        </p>
      )}
    </section>
  );
}
