// The loaded schemas with their type registry and plan cache, built once per schema load.
import { PlanCompiler } from "./plan";
import { buildRegistry, type TypeRegistry } from "./registry";
import { loadSchema, type LoadedSchema } from "./schema";

export interface Engine {
  schema: LoadedSchema;
  registry: TypeRegistry;
  plans: PlanCompiler;
}

let engine: Engine | undefined;

export function getEngine(): Engine {
  const schema = loadSchema();
  if (engine?.schema !== schema) {
    engine = { schema, registry: buildRegistry(schema), plans: new PlanCompiler(schema.errors) };
  }
  return engine;
}
