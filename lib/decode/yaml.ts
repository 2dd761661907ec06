// YAML the way kubectl prints it: block style, lists not indented under their key, no line wrapping,
// keys in the object's order, and strings quoted whenever YAML 1.1 would read them as something else.
import { stringify } from "yaml";

export interface ToYamlOptions {
  /** Sort keys alphabetically, as sigs.k8s.io/yaml does when kubectl converts JSON to YAML. */
  sortKeys?: boolean;
}

export function toYaml(value: unknown, options: ToYamlOptions = {}): string {
  return stringify(value, {
    sortMapEntries: options.sortKeys ?? false,
    version: "1.1",
    indentSeq: false,
    lineWidth: 0,
    minContentWidth: 0,
    defaultKeyType: "PLAIN",
    aliasDuplicateObjects: false,
  });
}
