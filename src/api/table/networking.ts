/** Rows for Ingress, IngressClass, EndpointSlice and Lease. */
import type { EndpointSlice, Ingress, IngressClass, Lease } from "../../schema/networking.js";
import type { KubeObject } from "../../schema/meta.js";
import { since } from "./duration.js";
import { loadBalancerAddresses } from "./service.js";
import { type Printer, ageColumn, column, listWithMore, nameColumn } from "./types.js";

/** Up to three hosts, `*` when no rule names one (formatHosts). */
export function ingressHosts(ing: Ingress): string {
  const rules = ing.spec?.rules ?? [];
  const max = 3;
  const hosts: string[] = [];
  let more = false;
  for (const rule of rules) {
    if (hosts.length === max) more = true;
    if (!more && rule.host) hosts.push(rule.host);
  }
  if (hosts.length === 0) return "*";
  // Upstream counts the remaining rules, named or not.
  return more ? `${hosts.join(",")} + ${rules.length - max} more...` : hosts.join(",");
}

export const ingressPrinter: Printer = {
  columns: [
    nameColumn(),
    column("Class", "string", "The name of the IngressClass resource that should be used for additional configuration"),
    column("Hosts", "string", "Hosts that incoming requests are matched against before the ingress rule"),
    column("Address", "string", "Address is a list containing ingress points for the load-balancer"),
    column("Ports", "string", "Ports of TLS configurations that open"),
    ageColumn(),
  ],
  print(obj: KubeObject, now: number) {
    const ing = obj as Ingress;
    return {
      cells: [
        ing.metadata.name,
        ing.spec?.ingressClassName ?? "<none>",
        ingressHosts(ing),
        loadBalancerAddresses(ing.status?.loadBalancer?.ingress),
        (ing.spec?.tls ?? []).length ? "80, 443" : "80",
        since(ing.metadata.creationTimestamp, now),
      ],
    };
  },
};

export const ingressClassPrinter: Printer = {
  columns: [
    nameColumn(),
    column("Controller", "string", "Controller that is responsible for handling this class"),
    column("Parameters", "string", "A reference to a resource with additional parameters"),
    ageColumn(),
  ],
  print(obj: KubeObject, now: number) {
    const ic = obj as IngressClass;
    const p = ic.spec?.parameters as { kind?: string; apiGroup?: string; name?: string } | undefined;
    const parameters = p ? `${p.kind ?? ""}${p.apiGroup != null ? `.${p.apiGroup}` : ""}/${p.name ?? ""}` : "<none>";
    return { cells: [ic.metadata.name, ic.spec?.controller ?? "", parameters, since(ic.metadata.creationTimestamp, now)] };
  },
};

export const endpointSlicePrinter: Printer = {
  columns: [
    nameColumn(),
    column("AddressType", "string", "addressType specifies the type of address carried by this EndpointSlice."),
    column("Ports", "string", "ports specifies the list of network ports exposed by each endpoint in this slice."),
    column("Endpoints", "string", "endpoints is a list of unique endpoints in this slice."),
    ageColumn(),
  ],
  print(obj: KubeObject, now: number) {
    const es = obj as EndpointSlice;
    // A port with neither number nor name means "all ports".
    const ports = (es.ports ?? []).map((p) => (p.port != null ? String(p.port) : (p.name ?? "*")));
    const addresses = (es.endpoints ?? []).flatMap((e) => e.addresses);
    return {
      cells: [es.metadata.name, es.addressType, listWithMore(ports), listWithMore(addresses), since(es.metadata.creationTimestamp, now)],
    };
  },
};

export const leasePrinter: Printer = {
  columns: [
    nameColumn(),
    column("Holder", "string", "holderIdentity contains the identity of the holder of a current lease."),
    ageColumn(),
  ],
  print(obj: KubeObject, now: number) {
    const lease = obj as Lease;
    return { cells: [lease.metadata.name, lease.spec?.holderIdentity ?? "", since(lease.metadata.creationTimestamp, now)] };
  },
};
