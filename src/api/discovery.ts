/**
 * API discovery, aggregated (apidiscovery.k8s.io/v2, what kubectl 1.32 asks
 * for first) and legacy (/api, /apis, /api/v1, /apis/g/v: `drain` and older
 * clients read these). Both are derived from the registry.
 */
import { groupVersion, groupVersions, resourceTypes, type ResourceType } from "../schema/registry.js";

export const AGGREGATED_TYPE = "application/json;g=apidiscovery.k8s.io;v=v2;as=APIGroupDiscoveryList";

/** kubectl only uses aggregated discovery when it asked for it and the Content-Type says so. */
export const wantsAggregated = (accept: string | null | undefined) =>
  !!accept && /as=APIGroupDiscoveryList/.test(accept) && /v=v2(beta1)?/.test(accept);

function aggregatedResource(t: ResourceType) {
  return {
    resource: t.resource,
    responseKind: { group: t.group, version: t.version, kind: t.kind },
    scope: t.namespaced ? "Namespaced" : "Cluster",
    singularResource: t.singular,
    verbs: t.verbs,
    ...(t.shortNames.length ? { shortNames: t.shortNames } : {}),
    ...(t.categories.length ? { categories: t.categories } : {}),
    subresources: t.subresources.map((s) => ({
      subresource: s.name,
      responseKind: { group: s.group, version: s.version, kind: s.kind },
      verbs: s.verbs,
    })),
  };
}

function aggregatedGroup(group: string) {
  const versions = groupVersions().filter((gv) => gv.group === group);
  return {
    metadata: { name: group, creationTimestamp: null },
    versions: versions.map((gv) => ({
      version: gv.version,
      freshness: "Current",
      resources: resourceTypes.filter((t) => t.group === group && t.version === gv.version).map(aggregatedResource),
    })),
  };
}

const groupsExceptCore = () => [...new Set(groupVersions().map((gv) => gv.group))].filter((g) => g !== "");

export function aggregatedCore() {
  return { kind: "APIGroupDiscoveryList", apiVersion: "apidiscovery.k8s.io/v2", metadata: {}, items: [aggregatedGroup("")] };
}

export function aggregatedGroups() {
  return {
    kind: "APIGroupDiscoveryList",
    apiVersion: "apidiscovery.k8s.io/v2",
    metadata: {},
    items: groupsExceptCore().map(aggregatedGroup),
  };
}

export function legacyCore(serverAddress: string) {
  return {
    kind: "APIVersions",
    versions: ["v1"],
    serverAddressByClientCIDRs: [{ clientCIDR: "0.0.0.0/0", serverAddress }],
  };
}

export function legacyGroups() {
  return {
    kind: "APIGroupList",
    apiVersion: "v1",
    groups: groupsExceptCore().map((name) => {
      const versions = groupVersions()
        .filter((gv) => gv.group === name)
        .map((gv) => ({ groupVersion: groupVersion(gv), version: gv.version }));
      return { name, versions, preferredVersion: versions[0] };
    }),
  };
}

export function legacyGroup(name: string) {
  const g = legacyGroups().groups.find((x) => x.name === name);
  return g ? { kind: "APIGroup", apiVersion: "v1", ...g } : undefined;
}

export function resourceList(group: string, version: string) {
  const types = resourceTypes.filter((t) => t.group === group && t.version === version);
  if (!types.length) return undefined;
  const resources = types.flatMap((t) => [
    {
      name: t.resource,
      singularName: t.singular,
      namespaced: t.namespaced,
      kind: t.kind,
      verbs: t.verbs,
      ...(t.shortNames.length ? { shortNames: t.shortNames } : {}),
      ...(t.categories.length ? { categories: t.categories } : {}),
    },
    ...t.subresources.map((s) => ({
      name: `${t.resource}/${s.name}`,
      singularName: "",
      namespaced: t.namespaced,
      kind: s.kind,
      verbs: s.verbs,
      ...(s.group !== t.group || s.version !== t.version ? { group: s.group, version: s.version } : {}),
    })),
  ]);
  return { kind: "APIResourceList", apiVersion: "v1", groupVersion: groupVersion({ group, version }), resources };
}
