import { DEFAULT_NOISE_PATTERNS } from "@/lib/diff/noise";
import { keyHref } from "@/lib/keys";
import { readRevisionText } from "@/lib/params";

// What the explorer shows besides the key, all of it in the URL so that a link restores the view:
// `?rev=812&compare=640&view=split&noise=show&ignore=metadata.resourceVersion,...`.

export type DiffLayout = "split" | "unified";

export type ViewState = {
  /** The revision shown (the newer side of a comparison); undefined: now. */
  rev?: number;
  /** The other revision of a comparison. */
  compare?: number;
  layout: DiffLayout;
  /** Whether noise fields are left out of Kubernetes diffs (the default). */
  hideNoise: boolean;
  /** The noise field patterns; the defaults unless the person changed the list. */
  noiseFields: readonly string[];
};

export const DEFAULT_VIEW_STATE: ViewState = { layout: "split", hideNoise: true, noiseFields: DEFAULT_NOISE_PATTERNS };

function sameList(a: readonly string[], b: readonly string[]): boolean {
  return a.length === b.length && a.every((item, index) => item === b[index]);
}

/** The page URL for a key and a view; parameters at their defaults are left out. */
export function viewHref(key: Uint8Array, state: Partial<ViewState>): string {
  const full = { ...DEFAULT_VIEW_STATE, ...state };
  const comparing = full.compare !== undefined;
  return keyHref(key, {
    rev: full.rev,
    compare: full.compare,
    view: comparing ? full.layout : undefined,
    noise: comparing && !full.hideNoise ? "show" : undefined,
    ignore: comparing && !sameList(full.noiseFields, DEFAULT_NOISE_PATTERNS) ? full.noiseFields.join(",") || "-" : undefined,
  });
}

type SearchParams = Record<string, string | string[] | undefined>;

function last(value: string | string[] | undefined): string | undefined {
  return Array.isArray(value) ? value[value.length - 1] : value;
}

/** Reads everything but `rev` (which the page validates itself) from the page's search params. */
export function readViewState(search: SearchParams, rev: number | undefined): ViewState {
  const ignore = last(search.ignore);
  return {
    rev,
    // A compare revision the URL cannot name exactly (above 2^53, not a number) is dropped, not rounded.
    compare: readRevisionText(last(search.compare)),
    layout: last(search.view) === "unified" ? "unified" : "split",
    hideNoise: last(search.noise) !== "show",
    noiseFields:
      ignore === undefined
        ? DEFAULT_NOISE_PATTERNS
        : ignore === "-"
          ? []
          : ignore
              .split(",")
              .map((item) => item.trim())
              .filter(Boolean),
  };
}
