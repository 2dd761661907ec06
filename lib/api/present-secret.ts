import "server-only";
import type { RevealedValue } from "@/lib/decode/reveal";
import type { SecretValueDto } from "./dto";

// The one place a revealed Secret value (SecretValueDto) is built.

function printableText(base64: string): string | undefined {
  const bytes = Buffer.from(base64, "base64");
  try {
    const text = new TextDecoder("utf-8", { fatal: true }).decode(bytes);
    return /[\u0000-\u0008\u000e-\u001f\u007f]/.test(text) ? undefined : text;
  } catch {
    return undefined;
  }
}

export function presentSecretValue(path: string[], revealed: RevealedValue): SecretValueDto {
  return {
    path,
    value: revealed.value,
    encoding: revealed.encoding,
    text: revealed.encoding === "base64" ? printableText(revealed.value) : revealed.value,
  };
}
