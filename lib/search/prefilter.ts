// Values that cannot match without being decoded, told from their bytes, so that a search for a
// field's value (an image, a label) decodes only the few objects that could hold it. Pure.
//
// A Kubernetes protobuf holds its strings as raw UTF-8, so an `=` condition can only hold when the
// bytes contain the text, or, for a bytes field (a Secret's data), the bytes the base64 text
// stands for. Not for texts the decoder makes from binary fields: numbers and booleans, times
// (Time, MicroTime) and durations. Plain ASCII only, since JSON embedded in a protobuf (RawExtension,
// managedFields) may escape other characters. Any other value format is always decoded.
import { isKubernetesProtobuf } from "@/lib/decode/kubernetes-protobuf";
import type { SearchTerm } from "./query";

const PLAIN = /^[A-Za-z0-9._:/@+=-]+$/;
const MADE_BY_DECODER = /^(-?\d+(\.\d+)?([eE][+-]?\d+)?|true|false|null|\d{4}-\d\d-\d\dT.*|(\d+(\.\d+)?(ns|us|µs|ms|s|m|h))+)$/;

function alternativesOf(text: string): Buffer[] {
  const raw = Buffer.from(text, "utf8");
  const decoded = Buffer.from(text, "base64");
  const isBase64 = text.length % 4 === 0 && decoded.length > 0 && decoded.toString("base64") === text;
  return isBase64 ? [raw, decoded] : [raw];
}

/** A test on a value's bytes that is false only for values that cannot match; undefined when none helps. */
export function rawPrefilter(terms: readonly SearchTerm[]): ((value: Uint8Array) => boolean) | undefined {
  const needles: Buffer[][] = [];
  for (const term of terms) {
    if (term.kind !== "field" || term.op !== "=" || !PLAIN.test(term.value) || MADE_BY_DECODER.test(term.value)) continue;
    needles.push(alternativesOf(term.value));
  }
  if (needles.length === 0) return undefined;
  return (value) => {
    if (!isKubernetesProtobuf(value)) return true;
    const bytes = Buffer.from(value.buffer, value.byteOffset, value.byteLength);
    return needles.every((alternatives) => alternatives.some((needle) => bytes.includes(needle)));
  };
}
