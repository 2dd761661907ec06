import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { Deployment } from "kubernetes-models/apps/v1/Deployment";
import { ConfigMap } from "kubernetes-models/v1/ConfigMap";
import { Namespace } from "kubernetes-models/v1/Namespace";
import { PersistentVolumeClaim } from "kubernetes-models/v1/PersistentVolumeClaim";
import { Secret } from "kubernetes-models/v1/Secret";
import { Service } from "kubernetes-models/v1/Service";
import { ServiceAccount } from "kubernetes-models/v1/ServiceAccount";
import { Ingress } from "kubernetes-models/networking.k8s.io/v1/Ingress";
import { NetworkPolicy } from "kubernetes-models/networking.k8s.io/v1/NetworkPolicy";
import { afterAll, describe, expect, it } from "vitest";
import { parseAllDocuments } from "yaml";
import { parseAuthSettingsFrom, parseDoorSettings, parseOidcSettings, parseServerSettings } from "@/lib/env";
import { isAllowedHost } from "@/lib/http/allowed-host";

// The Kubernetes manifests in scripts/deploy/kubernetes are checked as a cluster would take them
// (each object against the Kubernetes API schema, through kubernetes-models) and as etcdlens would
// start from them: the Deployment's environment, with its ConfigMap and Secret references filled
// in from the files beside it, is read by the same settings code the server runs, so a manifest
// that the server would refuse to start with, or whose probes the Host check would turn away, fails here.

const folder = fileURLToPath(new URL("./kubernetes/", import.meta.url));
const scratch = mkdtempSync(join(tmpdir(), "etcdlens-manifests-"));
afterAll(() => rmSync(scratch, { recursive: true, force: true }));

type KubeObject = { apiVersion: string; kind: string; metadata: { name: string }; [field: string]: unknown };

const MODELS: Record<string, new (data: never) => { validate(): void }> = {
  "v1/Namespace": Namespace,
  "v1/ServiceAccount": ServiceAccount,
  "v1/ConfigMap": ConfigMap,
  "v1/Secret": Secret,
  "v1/PersistentVolumeClaim": PersistentVolumeClaim,
  "v1/Service": Service,
  "apps/v1/Deployment": Deployment,
  "networking.k8s.io/v1/NetworkPolicy": NetworkPolicy,
  "networking.k8s.io/v1/Ingress": Ingress,
};

function readObjects(file: string): KubeObject[] {
  return parseAllDocuments(readFileSync(join(folder, file), "utf8")).map((document) => {
    expect(document.errors, file).toEqual([]);
    return document.toJS() as KubeObject;
  });
}

const files = readdirSync(folder).filter((file) => file.endsWith(".yaml"));
const kustomization = readObjects("kustomization.yaml")[0] as unknown as { resources: string[]; namespace: string };
const applied = kustomization.resources.flatMap(readObjects);
const examples = readObjects("secret.example.yaml");
const find = <T = KubeObject>(kind: string, name?: string) => {
  const found = [...applied, ...examples].find((object) => object.kind === kind && (name === undefined || object.metadata.name === name));
  expect(found, `${kind} ${name ?? ""}`).toBeDefined();
  return found as T;
};

type EnvVar = {
  name: string;
  value?: string;
  valueFrom?: { configMapKeyRef?: { name: string; key: string }; secretKeyRef?: { name: string; key: string } };
};
type Container = {
  ports: { name: string; containerPort: number }[];
  env: EnvVar[];
  readinessProbe: { httpGet: { path: string; port: string; httpHeaders?: { name: string; value: string }[] } };
  livenessProbe: { httpGet: { path: string; port: string; httpHeaders?: { name: string; value: string }[] } };
  securityContext: Record<string, unknown>;
  volumeMounts: { name: string; mountPath: string; subPath?: string }[];
};
type PodSpec = {
  containers: Container[];
  volumes: { name: string; configMap?: { name: string }; secret?: { secretName: string }; persistentVolumeClaim?: { claimName: string } }[];
  securityContext: Record<string, unknown>;
  serviceAccountName: string;
};
const deployment = find<{ spec: { template: { spec: PodSpec } } }>("Deployment", "etcdlens");
const pod = deployment.spec.template.spec;
const container = pod.containers[0];

function dataOf(kind: "ConfigMap" | "Secret", name: string): Record<string, string> {
  const object = find<{ data?: Record<string, string>; stringData?: Record<string, string> }>(kind, name);
  return { ...object.data, ...object.stringData };
}

/** The container's environment as the kubelet would give it, references resolved. */
function containerEnv(): Record<string, string> {
  const env: Record<string, string> = {};
  for (const variable of container.env) {
    const configRef = variable.valueFrom?.configMapKeyRef;
    const secretRef = variable.valueFrom?.secretKeyRef;
    const value = configRef
      ? dataOf("ConfigMap", configRef.name)[configRef.key]
      : secretRef
        ? dataOf("Secret", secretRef.name)[secretRef.key]
        : variable.value;
    expect(value, `${variable.name} resolves`).toBeTypeOf("string");
    env[variable.name] = value!;
  }
  return env;
}

describe("the Kubernetes manifests", () => {
  it("apply every file but the Secret example, into one namespace the kustomization creates", () => {
    expect([...kustomization.resources, "kustomization.yaml", "secret.example.yaml"].sort()).toEqual([...files].sort());
    expect(find<KubeObject>("Namespace").metadata.name).toBe(kustomization.namespace);
  });

  it("are valid Kubernetes objects, each against its API schema", () => {
    for (const object of [...applied, ...examples]) {
      const Model = MODELS[`${object.apiVersion}/${object.kind}`];
      expect(Model, `${object.apiVersion} ${object.kind} is one the test knows`).toBeDefined();
      expect(() => new Model(object as never).validate(), `${object.kind} ${object.metadata.name}`).not.toThrow();
    }
  });

  it("a schema violation is caught: the check is not a formality", () => {
    const broken = structuredClone(deployment) as unknown as { spec: { template: { spec: { containers: { ports: unknown }[] } } } };
    broken.spec.template.spec.containers[0].ports = [{ containerPort: "three thousand" }];
    expect(() => new Deployment(broken as never).validate()).toThrow(/containerPort/);
  });

  it("start a server that signs people in and whose configuration the settings code accepts", () => {
    const env = containerEnv();
    const configPath = join(scratch, "etcdlens.yaml");
    writeFileSync(configPath, dataOf("ConfigMap", "etcdlens-config")["etcdlens.yaml"]);
    const mounted = container.volumeMounts.find((mount) => mount.mountPath === env.ETCDLENS_CONFIG);
    expect(mounted?.subPath).toBe("etcdlens.yaml");
    const asRead = { ...env, ETCDLENS_CONFIG: configPath };

    expect(parseAuthSettingsFrom(asRead).mode).toBe("oidc");
    expect(parseOidcSettings(asRead).publicUrl).toBe(env.ETCDLENS_PUBLIC_URL);
    const server = parseServerSettings(asRead);
    expect(server.clusters.map((cluster) => cluster.name)).toEqual(["prod"]);
    // The certificate files the configuration names are the keys of the Secret mounted there.
    const certMount = container.volumeMounts.find((mount) => mount.name === "etcd-client")!;
    const certKeys = Object.keys(dataOf("Secret", pod.volumes.find((volume) => volume.name === "etcd-client")!.secret!.secretName));
    const cluster = server.clusters[0];
    for (const path of [cluster.caFile, cluster.certFile, cluster.keyFile]) {
      expect(path?.startsWith(`${certMount.mountPath}/`), path).toBe(true);
      expect(certKeys).toContain(path!.slice(certMount.mountPath.length + 1));
    }
    // Without a sign-in, the same pod would refuse to start on 0.0.0.0.
    expect(() => parseAuthSettingsFrom({ ...asRead, ETCDLENS_AUTH: "none" })).toThrow(/HOST=0.0.0.0/);
  });

  it("probe a path anyone may fetch, with a Host the Host check lets in, on the port the server listens on", () => {
    const env = containerEnv();
    const door = parseDoorSettings(env);
    const port = container.ports.find((candidate) => candidate.name === "http")!;
    expect(String(port.containerPort)).toBe(env.PORT);
    for (const probe of [container.readinessProbe, container.livenessProbe]) {
      expect(probe.httpGet).toMatchObject({ path: "/api/healthz", port: "http" });
      const host = probe.httpGet.httpHeaders?.find((header) => header.name === "Host")?.value;
      expect(isAllowedHost(host, door), `probe Host ${host}`).toBe(true);
    }
    // What the kubelet would send without the header: the pod's IP, refused.
    expect(isAllowedHost(`10.244.1.7:${env.PORT}`, door)).toBe(false);
    // And the address browsers use.
    expect(isAllowedHost(new URL(env.ETCDLENS_PUBLIC_URL).host, door)).toBe(true);
  });

  it("run unprivileged, with no Kubernetes API token, every volume and reference pointing at something that exists", () => {
    expect(pod.securityContext).toMatchObject({ runAsNonRoot: true, seccompProfile: { type: "RuntimeDefault" } });
    expect(container.securityContext).toMatchObject({
      allowPrivilegeEscalation: false,
      readOnlyRootFilesystem: true,
      capabilities: { drop: ["ALL"] },
    });
    expect(find<{ automountServiceAccountToken: boolean }>("ServiceAccount", pod.serviceAccountName).automountServiceAccountToken).toBe(
      false,
    );
    for (const mount of container.volumeMounts) expect(pod.volumes.map((volume) => volume.name)).toContain(mount.name);
    for (const volume of pod.volumes) {
      if (volume.configMap) find("ConfigMap", volume.configMap.name);
      if (volume.secret) find("Secret", volume.secret.secretName);
      if (volume.persistentVolumeClaim) find("PersistentVolumeClaim", volume.persistentVolumeClaim.claimName);
    }
    // The archive lives on the volume, not in the read-only image.
    const env = containerEnv();
    expect(container.volumeMounts.find((mount) => mount.name === "archive")?.mountPath).toBe(env.ETCDLENS_DATA_DIR);
  });

  it("route the Service and the NetworkPolicy to the container's port", () => {
    const service = find<{ spec: { ports: { targetPort: string }[]; selector: Record<string, string> } }>("Service", "etcdlens");
    expect(service.spec.ports[0].targetPort).toBe("http");
    const policy = find<{ spec: { ingress: { ports: { port: number }[] }[] } }>("NetworkPolicy", "etcdlens");
    expect(policy.spec.ingress[0].ports[0].port).toBe(container.ports[0].containerPort);
  });
});

describe("the Dockerfile", () => {
  const dockerfile = readFileSync(fileURLToPath(new URL("./Dockerfile", import.meta.url)), "utf8");

  it("ships the standalone folder with npm start's server, run as the node user the manifests expect", () => {
    expect(dockerfile).toContain("COPY --from=build /src/.next/standalone ./");
    expect(dockerfile).toContain("COPY --from=build /src/.next/static ./.next/static");
    expect(dockerfile).toContain("COPY --from=build /src/scripts/serve.mjs ./scripts/serve.mjs");
    expect(dockerfile).toMatch(/^USER node$/m);
    expect(dockerfile).toMatch(/^CMD \["node", "scripts\/serve.mjs"\]$/m);
    // The node user of the official Node images is uid 1000.
    expect(pod.securityContext.runAsUser).toBe(1000);
    expect(dockerfile).toContain("ETCDLENS_DATA_DIR=/data");
  });
});
