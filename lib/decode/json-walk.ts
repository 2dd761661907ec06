import type { JsonObject, JsonValue } from "./types";

// Visits every value below a root without recursion: decoded values may be nested far deeper
// than the call stack allows. A container is visited before what it holds, so a visitor that
// masks an object's fields first is then walked over the masked fields. Paths are built only when
// a visitor asks (`pathOf`): copying one per value would make a deep value cost depth² steps.

export type JsonVisitor = (child: JsonValue, name: string, pathOf: () => string[], replace: (value: JsonValue) => void) => void;

type Step = { name: string; parent: Step | null };

function pathFrom(rootPath: string[], step: Step | null): string[] {
  const names: string[] = [];
  for (let at = step; at; at = at.parent) names.push(at.name);
  return [...rootPath, ...names.reverse()];
}

export function walkJson(root: JsonValue, rootPath: string[], visit: JsonVisitor): void {
  const stack: { node: JsonValue; step: Step | null }[] = [{ node: root, step: null }];
  while (stack.length > 0) {
    const { node, step } = stack.pop()!;
    if (node === null || typeof node !== "object") continue;
    const entries: [string, JsonValue][] = Array.isArray(node) ? node.map((item, i) => [String(i), item]) : Object.entries(node);
    for (const [name, child] of entries) {
      const childStep: Step = { name, parent: step };
      visit(
        child,
        name,
        () => pathFrom(rootPath, childStep),
        (value) => setChild(node, name, value),
      );
      if (child !== null && typeof child === "object") stack.push({ node: child, step: childStep });
    }
  }
}

function setChild(parent: JsonObject | JsonValue[], name: string, value: JsonValue): void {
  if (Array.isArray(parent)) parent[Number(name)] = value;
  else parent[name] = value;
}
