import { describe, expect, it } from "vitest";
import { KubeError } from "../../errors.js";
import { thrownKubeError as rejected } from "../../testing/thrown-kube-error.js";
import { resourceByName } from "../../schema/registry.js";
import { checkFieldSelector, supportedFieldLabels } from "./field-labels.js";
import { fieldValue } from "./field-value.js";
import { escapeFieldValue, fieldSelectorFromSet, parseFieldSelector, unescapeFieldValue } from "./fields.js";

const pod = (name: string, nodeName: string | undefined, phase?: string) => ({
  apiVersion: "v1",
  kind: "Pod",
  metadata: { name, namespace: "default", uid: `uid-${name}` },
  spec: { containers: [{ name: "c" }], ...(nodeName ? { nodeName } : {}) },
  status: phase ? { phase } : {},
});

const event = {
  apiVersion: "v1",
  kind: "Event",
  metadata: { name: "nginx.17a", namespace: "default" },
  involvedObject: { kind: "Pod", namespace: "default", name: "nginx", apiVersion: "v1", uid: "4f1c-uid" },
  reason: "Pulled",
  type: "Normal",
  source: { component: "kubelet", host: "node1" },
};

describe("parseFieldSelector: what kubectl sends", () => {
  it("describe pod: involvedObject name, namespace and uid", () => {
    const sel = parseFieldSelector("involvedObject.name=nginx,involvedObject.namespace=default,involvedObject.uid=4f1c-uid");
    expect(sel.matches(event)).toBe(true);
    expect(sel.matches({ ...event, involvedObject: { ...event.involvedObject, uid: "other" } })).toBe(false);
    expect(sel.requiredValue("involvedObject.uid")).toBe("4f1c-uid");
  });

  it("describe deploy: adds involvedObject.kind", () => {
    const sel = parseFieldSelector(
      "involvedObject.uid=d-uid,involvedObject.name=web,involvedObject.namespace=default,involvedObject.kind=Deployment",
    );
    const deployEvent = { ...event, involvedObject: { kind: "Deployment", name: "web", namespace: "default", uid: "d-uid" } };
    expect(sel.matches(deployEvent)).toBe(true);
    expect(sel.matches(event)).toBe(false);
  });

  it("describe node: an empty involvedObject.namespace matches a cluster-scoped object's events", () => {
    const sel = parseFieldSelector("involvedObject.name=node1,involvedObject.namespace=,involvedObject.uid=node1");
    const nodeEvent = { metadata: { name: "node1.1", namespace: "default" }, involvedObject: { kind: "Node", name: "node1", uid: "node1" } };
    expect(sel.matches(nodeEvent)).toBe(true);
    expect(sel.matches({ ...nodeEvent, involvedObject: { ...nodeEvent.involvedObject, namespace: "x" } })).toBe(false);
  });

  it("describe node: non-terminated pods on the node, with != operators", () => {
    const sel = parseFieldSelector("spec.nodeName=node1,status.phase!=Succeeded,status.phase!=Failed");
    expect(sel.matches(pod("a", "node1", "Running"))).toBe(true);
    expect(sel.matches(pod("b", "node1"))).toBe(true); // no phase yet counts as ""
    expect(sel.matches(pod("c", "node1", "Succeeded"))).toBe(false);
    expect(sel.matches(pod("d", "node1", "Failed"))).toBe(false);
    expect(sel.matches(pod("e", "node2", "Running"))).toBe(false);
    expect(sel.requiredValue("spec.nodeName")).toBe("node1");
    expect(sel.requiredValue("status.phase")).toBeUndefined();
  });

  it("drain: spec.nodeName=node1; an empty value selects unscheduled pods", () => {
    expect(parseFieldSelector("spec.nodeName=node1").matches(pod("a", "node1"))).toBe(true);
    const unscheduled = parseFieldSelector("spec.nodeName=");
    expect(unscheduled.matches(pod("a", undefined))).toBe(true);
    expect(unscheduled.matches(pod("b", "node1"))).toBe(false);
  });

  it("informer watches: metadata.name=x narrows to one object", () => {
    const sel = parseFieldSelector("metadata.name=w4");
    expect(sel.exactName()).toBe("w4");
    expect(sel.exactNamespace()).toBeUndefined();
    expect(sel.matches(pod("w4", undefined))).toBe(true);
    expect(sel.matches(pod("w5", undefined))).toBe(false);
    expect(parseFieldSelector("metadata.name!=w4").exactName()).toBeUndefined();
  });

  it("treats == like =, and an empty string as select-everything", () => {
    expect(parseFieldSelector("status.phase==Running").matches(pod("a", "n", "Running"))).toBe(true);
    const all = parseFieldSelector("");
    expect(all.empty()).toBe(true);
    expect(all.matches(pod("a", undefined))).toBe(true);
  });

  it("compares booleans as true/false, with upstream's false for an absent field", () => {
    const node = (unschedulable?: boolean) => ({ metadata: { name: "n" }, spec: unschedulable === undefined ? {} : { unschedulable } });
    expect(parseFieldSelector("spec.unschedulable=true").matches(node(true))).toBe(true);
    expect(parseFieldSelector("spec.unschedulable=false").matches(node(false))).toBe(true);
    expect(parseFieldSelector("spec.unschedulable=false").matches(node())).toBe(true);
    expect(parseFieldSelector("spec.unschedulable!=true").matches(node())).toBe(true);
  });

  it("reads top-level and derived fields (Event type and source, Secret type)", () => {
    expect(parseFieldSelector("type=Normal,reason=Pulled,source=kubelet").matches(event)).toBe(true);
    expect(parseFieldSelector("type=kubernetes.io/tls").matches({ metadata: { name: "s" }, type: "kubernetes.io/tls" })).toBe(true);
    expect(fieldValue({ reportingComponent: "scheduler" }, "source")).toBe("scheduler");
    expect(fieldValue({ status: { podIPs: [{ ip: "10.0.0.7" }], podIP: "10.0.0.7" } }, "status.podIP")).toBe("10.0.0.7");
    expect(fieldValue({ status: {} }, "status.successful")).toBe("0");
    expect(fieldValue({ status: { replicas: 3 } }, "status.replicas")).toBe("3");
  });
});

describe("escaping", () => {
  it("unescapes \\, \\= and \\\\ in values", () => {
    const sel = parseFieldSelector("metadata.name=a\\,b\\=c\\\\d");
    expect(sel.exactName()).toBe("a,b=c\\d");
    expect(sel.toString()).toBe("metadata.name=a\\,b\\=c\\\\d");
    expect(unescapeFieldValue(escapeFieldValue("x=1,y\\2"))).toBe("x=1,y\\2");
  });

  it("prints a canonical, sorted form", () => {
    expect(parseFieldSelector("status.phase!=Failed,spec.nodeName==node1").toString()).toBe(
      "spec.nodeName=node1,status.phase!=Failed",
    );
    expect(fieldSelectorFromSet({ "spec.nodeName": "n1", "metadata.name": "p" }).toString()).toBe(
      "metadata.name=p,spec.nodeName=n1",
    );
  });
});

describe("malformed field selectors are 400s", () => {
  it.each([
    ["metadata.name", "invalid selector: 'metadata.name'; can't understand 'metadata.name'"],
    ["a=b,c", "invalid selector: 'a=b,c'; can't understand 'c'"],
    ["metadata.name=a\\b", "invalid field selector: invalid escape sequence: \\b"],
    ["metadata.name=a\\", "invalid field selector: invalid escape sequence: \\"],
    ["metadata.name=a=b", "invalid field selector: unescaped character in value: ="],
  ])("%s", (input, message) => {
    const err = rejected(() => parseFieldSelector(input));
    expect(err).toBeInstanceOf(KubeError);
    expect(err.code).toBe(400);
    expect(err.message).toBe(message);
  });
});

describe("supported field labels per kind", () => {
  it("accepts what kubectl uses on pods, events and nodes", () => {
    const pods = resourceByName("pods")!;
    const events = resourceByName("events")!;
    const nodes = resourceByName("nodes")!;
    expect(() => checkFieldSelector(parseFieldSelector("spec.nodeName=node1,status.phase!=Failed"), pods)).not.toThrow();
    expect(() =>
      checkFieldSelector(parseFieldSelector("involvedObject.name=nginx,involvedObject.namespace=default,involvedObject.uid=u"), events),
    ).not.toThrow();
    expect(() => checkFieldSelector(parseFieldSelector("spec.unschedulable=false,metadata.name=n"), nodes)).not.toThrow();
    expect(supportedFieldLabels(resourceByName("deployments")!)).toEqual(["metadata.name", "metadata.namespace"]);
  });

  it("rejects the rest like upstream", () => {
    const err = rejected(() => checkFieldSelector(parseFieldSelector("spec.replicas=3"), resourceByName("deployments")!));
    expect(err.code).toBe(400);
    expect(err.message).toBe("field label not supported: spec.replicas");
    expect(() => checkFieldSelector(parseFieldSelector("spec.nodeName=x"), resourceByName("services")!)).toThrow(
      "field label not supported: spec.nodeName",
    );
  });
});
