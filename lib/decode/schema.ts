// Loads every .proto below the schema folder into one protobufjs Root, once. A file that fails to
// parse, or clashes with another, is recorded and left out; the other groups keep working.
import { readdirSync, readFileSync } from "node:fs";
import path from "node:path";
import protobuf from "protobufjs";

export interface SchemaError {
  file: string;
  message: string;
}

export interface LoadedSchema {
  root: protobuf.Root;
  files: string[];
  errors: SchemaError[];
}

let cached: LoadedSchema | undefined;

export function getSchemaDir(): string {
  return process.env.ETCDLENS_PROTO_DIR || path.join(process.cwd(), "proto");
}

export function loadSchema(): LoadedSchema {
  cached ??= loadSchemaFrom(getSchemaDir());
  return cached;
}

/** Problems found while loading or resolving schemas (files that were skipped, dangling type names). */
export function getSchemaErrors(): SchemaError[] {
  return loadSchema().errors;
}

/** Forgets the cached schemas, so the next decode reloads them (tests, or a schema folder that changed). */
export function resetSchemaCache(): void {
  cached = undefined;
}

export function loadSchemaFrom(dir: string): LoadedSchema {
  const root = new protobuf.Root();
  const errors: SchemaError[] = [];
  const files: string[] = [];
  let protoFiles: string[] = [];
  try {
    protoFiles = listProtoFiles(dir);
  } catch (error) {
    errors.push({ file: dir, message: `cannot read the schema folder: ${messageOf(error)}` });
  }
  for (const file of protoFiles) {
    const relative = path.relative(dir, file);
    try {
      const scratch = new protobuf.Root();
      // Imports are not followed: every file in the folder is loaded anyway, and names are fully qualified.
      protobuf.parse(readFileSync(file, "utf8"), scratch, { keepCase: true, alternateCommentMode: false });
      mergeInto(root, scratch, relative, errors);
      files.push(relative);
    } catch (error) {
      errors.push({ file: relative, message: messageOf(error) });
    }
  }
  return { root, files, errors };
}

function listProtoFiles(dir: string): string[] {
  const found: string[] = [];
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const full = path.join(dir, entry.name);
    if (entry.isDirectory()) found.push(...listProtoFiles(full));
    else if (entry.isFile() && entry.name.endsWith(".proto")) found.push(full);
  }
  return found.sort();
}

/** Moves the definitions of one parsed file into the shared root, refusing names defined twice. */
function mergeInto(target: protobuf.Namespace, source: protobuf.Namespace, file: string, errors: SchemaError[]): void {
  for (const child of [...source.nestedArray]) {
    const existing = target.get(child.name);
    const isPlainNamespace =
      child instanceof protobuf.Namespace && !(child instanceof protobuf.Type) && !(child instanceof protobuf.Service);
    if (isPlainNamespace) {
      if (existing === null) {
        const ns = new protobuf.Namespace(child.name, child.options);
        target.add(ns);
        mergeInto(ns, child, file, errors);
      } else if (existing instanceof protobuf.Namespace && !(existing instanceof protobuf.Type)) {
        mergeInto(existing, child, file, errors);
      } else {
        errors.push({ file, message: `${child.fullName} is already defined as something else` });
      }
      continue;
    }
    if (existing !== null) {
      errors.push({ file, message: `${child.fullName.replace(/^\./, "")} is defined twice; keeping the first` });
      continue;
    }
    source.remove(child);
    child.filename = file;
    target.add(child);
  }
}

function messageOf(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
