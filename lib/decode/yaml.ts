import { stringify } from "yaml";

// YAML the way kubectl prints objects: block style, keys in the object's order, long strings kept
// on one line rather than folded, and no aliases for repeated values.
export function toYaml(value: unknown): string {
  return stringify(value, { lineWidth: 0, minContentWidth: 0, aliasDuplicateObjects: false, indentSeq: false });
}
