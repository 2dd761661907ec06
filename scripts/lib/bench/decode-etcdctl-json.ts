// The <decode> of the search benchmark's baseline: reads `etcdctl get --prefix -w json` on stdin
// and prints one line per key, "key<TAB>decoded value as JSON", with lib/decode's decodeValue
// (Secrets masked, as the dashboard shows them), for grep to search. Streams: the JSON of 100,000
// Pods is over 500 MB, more than one JavaScript string holds, so it is scanned a chunk at a time.
import { decodeValue, type DecodedValue } from "@/lib/decode";

const PAIR = /"key":"([A-Za-z0-9+/=]*)"[^{}]*?"value":"([A-Za-z0-9+/=]*)"/g;

function textOf(value: DecodedValue): string {
  switch (value.format) {
    case "kubernetes":
      return JSON.stringify(value.object);
    case "json":
    case "cbor":
    case "yaml":
      return JSON.stringify(value.data);
    case "text":
      return JSON.stringify(value.text);
    default:
      return `(${value.format})`;
  }
}

let buffered = "";
let lines: string[] = [];
const flush = () => {
  if (lines.length > 0) process.stdout.write(lines.join(""));
  lines = [];
};
process.stdin.setEncoding("utf8");
process.stdin.on("data", (chunk: string) => {
  buffered += chunk;
  let consumed = 0;
  PAIR.lastIndex = 0;
  for (let found = PAIR.exec(buffered); found; found = PAIR.exec(buffered)) {
    const key = Buffer.from(found[1], "base64");
    const value = decodeValue(Buffer.from(found[2], "base64"), { key });
    lines.push(`${key.toString("utf8")}\t${textOf(value)}\n`);
    consumed = PAIR.lastIndex;
  }
  buffered = buffered.slice(consumed);
  if (lines.length >= 256) flush();
});
process.stdin.on("end", flush);
