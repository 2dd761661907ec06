// apiVersion + kind -> message type. The apiVersion of a type comes from its proto package, so a new
// version of a known group (k8s.io.api.batch.v1beta1) is found without touching this file.
import protobuf from "protobufjs";
import type { LoadedSchema } from "./schema";

const VERSION = "v\\d+(?:(?:alpha|beta)\\d+)?";

/** Proto package families and the API group each one serves. */
const PACKAGE_FAMILIES: { pattern: RegExp; group: (name: string) => string }[] = [
  { pattern: new RegExp(`^k8s\\.io\\.api\\.([a-z0-9]+)\\.(${VERSION})$`), group: groupOfBuiltinPackage },
  {
    pattern: new RegExp(`^k8s\\.io\\.apiextensions_apiserver\\.pkg\\.apis\\.(apiextensions)\\.(${VERSION})$`),
    group: () => "apiextensions.k8s.io",
  },
  {
    pattern: new RegExp(`^k8s\\.io\\.kube_aggregator\\.pkg\\.apis\\.(apiregistration)\\.(${VERSION})$`),
    group: () => "apiregistration.k8s.io",
  },
];

/** Folder names under k8s.io/api and their API group; "" is the legacy core group ("v1"). */
const BUILTIN_GROUPS: Record<string, string> = {
  core: "",
  apps: "apps",
  batch: "batch",
  autoscaling: "autoscaling",
  policy: "policy",
  extensions: "extensions",
  networking: "networking.k8s.io",
  rbac: "rbac.authorization.k8s.io",
  storage: "storage.k8s.io",
  coordination: "coordination.k8s.io",
  discovery: "discovery.k8s.io",
  events: "events.k8s.io",
  scheduling: "scheduling.k8s.io",
  node: "node.k8s.io",
  certificates: "certificates.k8s.io",
  admissionregistration: "admissionregistration.k8s.io",
  admission: "admission.k8s.io",
  authentication: "authentication.k8s.io",
  authorization: "authorization.k8s.io",
  flowcontrol: "flowcontrol.apiserver.k8s.io",
  apiserverinternal: "internal.apiserver.k8s.io",
  resource: "resource.k8s.io",
  storagemigration: "storagemigration.k8s.io",
  imagepolicy: "imagepolicy.k8s.io",
  apidiscovery: "apidiscovery.k8s.io",
};

function groupOfBuiltinPackage(folder: string): string {
  return BUILTIN_GROUPS[folder] ?? `${folder}.k8s.io`;
}

/** Types every group version serves (Status, WatchEvent, the request options, discovery documents). */
export const META_PACKAGE = "k8s.io.apimachinery.pkg.apis.meta.v1";

/** The apiVersion a proto package serves, or undefined when it is not an API group version. */
export function apiVersionOfPackage(pkg: string): string | undefined {
  for (const family of PACKAGE_FAMILIES) {
    const match = family.pattern.exec(pkg);
    if (match) {
      const group = family.group(match[1]);
      return group === "" ? match[2] : `${group}/${match[2]}`;
    }
  }
  return undefined;
}

export interface TypeRegistry {
  lookup(apiVersion: string, kind: string): protobuf.Type | undefined;
}

export function buildRegistry(schema: LoadedSchema): TypeRegistry {
  const byApiVersionKind = new Map<string, protobuf.Type>();
  const metaByKind = new Map<string, protobuf.Type>();
  visitPackages(schema.root, (pkg, types) => {
    if (pkg === META_PACKAGE) {
      for (const type of types) metaByKind.set(type.name, type);
      return;
    }
    const apiVersion = apiVersionOfPackage(pkg);
    if (apiVersion === undefined) return;
    for (const type of types) byApiVersionKind.set(`${apiVersion}\u0000${type.name}`, type);
  });
  return {
    lookup(apiVersion, kind) {
      return byApiVersionKind.get(`${apiVersion}\u0000${kind}`) ?? (isApiVersion(apiVersion) ? metaByKind.get(kind) : undefined);
    },
  };
}

function isApiVersion(apiVersion: string): boolean {
  return new RegExp(`^(?:[a-z0-9.-]+/)?${VERSION}$`).test(apiVersion);
}

/** Calls back with each package's fully qualified name and its top-level message types. */
function visitPackages(ns: protobuf.Namespace, visit: (pkg: string, types: protobuf.Type[]) => void): void {
  const types = ns.nestedArray.filter((child): child is protobuf.Type => child instanceof protobuf.Type);
  if (types.length > 0) visit(ns.fullName.replace(/^\./, ""), types);
  for (const child of ns.nestedArray) {
    if (child instanceof protobuf.Namespace && !(child instanceof protobuf.Type)) visitPackages(child, visit);
  }
}
