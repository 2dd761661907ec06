// Space and churn figures as the tree, the folder view and Insights print them: compact, the way
// a person reads them at a glance ("1.2 MB · 3% · 40/min"). Bytes are decimal (1 MB = 10⁶ bytes),
// as etcd's own db-size figures are printed by etcdctl.

const UNITS = ["B", "kB", "MB", "GB", "TB"];

export function formatBytes(bytes: number): string {
  let value = bytes;
  let unit = 0;
  while (value >= 999.95 && unit < UNITS.length - 1) {
    value /= 1000;
    unit += 1;
  }
  if (unit === 0) return `${bytes} B`;
  return `${value >= 100 ? value.toFixed(0) : value.toFixed(1)} ${UNITS[unit]}`;
}

/** `part` as a share of `whole`: "3%", "<1%" for a small non-zero share, "0%"; undefined without a whole. */
export function formatShare(part: number, whole: number | undefined): string | undefined {
  if (whole === undefined || whole <= 0) return undefined;
  const percent = (part / whole) * 100;
  if (part > 0 && percent < 1) return "<1%";
  return `${Math.round(percent)}%`;
}

export function formatRate(perMinute: number): string {
  if (perMinute === 0) return "0/min";
  if (perMinute < 1) return `${perMinute.toFixed(1)}/min`;
  return `${Math.round(perMinute).toLocaleString("en-US")}/min`;
}

/** One child's figures as a row shows them; `partsOf` is the whole keyspace's bytes when known. */
export function describeFigures(
  figures: { bytes: number | null; writesPerMinute: number | null; writesPerMinute10?: number | null; writesPerMinute60?: number | null },
  keyspaceBytes: number | undefined,
): { text: string; title: string } | undefined {
  if (figures.bytes === null) return undefined;
  const parts = [formatBytes(figures.bytes)];
  const share = formatShare(figures.bytes, keyspaceBytes);
  if (share) parts.push(share);
  if (figures.writesPerMinute !== null) parts.push(formatRate(figures.writesPerMinute));
  const title = [
    `${figures.bytes.toLocaleString("en-US")} bytes of current values (keys not counted)`,
    share ? `${share} of the keyspace's value bytes` : null,
    figures.writesPerMinute !== null
      ? `writes per minute: ${figures.writesPerMinute} in the last minute, ${figures.writesPerMinute10 ?? 0} over 10 min, ${figures.writesPerMinute60 ?? 0} over 60 min`
      : null,
  ]
    .filter(Boolean)
    .join("; ");
  return { text: parts.join(" · "), title };
}
