// Server messages placed inside a sentence of the UI: "etcd is unreachable. <message>. Retrying…".
// Pure, shared by server and browser.

// A label with nothing after it, as gRPC ends its messages ("… Resolution note: ").
const DANGLING_LABEL = /(?:[.;,]\s*)?[A-Za-z][\w ]{0,40}:\s*$/;

/**
 * The message as one sentence: trimmed, without a trailing label that has no text, and ending in
 * exactly one full stop (or its own "!" / "?"). Empty when nothing is left to say.
 */
export function toSentence(message: string): string {
  let text = message.trim();
  for (let previous = ""; previous !== text;) {
    previous = text;
    text = text.replace(DANGLING_LABEL, "").replace(/[\s.;,:]+$/, "");
  }
  if (text === "") return "";
  return /[!?]$/.test(text) ? text : `${text}.`;
}
