import { describe, expect, it } from "vitest";
import { silentLogger } from "../log.js";
import { overlapsHostRoutes, parseAddresses, SERVICE_INTERFACE, ServiceAddresses } from "./service-addresses.js";

const hostRoutes = JSON.stringify([
  { dst: "default", gateway: "192.0.2.1", dev: "eth0" },
  { type: "unreachable", dst: "10.96.0.0/12" },
  { dst: "172.17.0.0/16", dev: "docker0" },
  { dst: "10.100.4.0/24", dev: "eth1" },
]);

describe("overlapsHostRoutes", () => {
  it("sees a connected network inside the range, ignoring default and unreachable routes", () => {
    expect(overlapsHostRoutes("10.96.0.0/12", hostRoutes)).toBe(true);
    expect(overlapsHostRoutes("10.200.0.0/16", hostRoutes)).toBe(false);
    expect(overlapsHostRoutes("172.16.0.0/12", hostRoutes)).toBe(true);
    expect(overlapsHostRoutes("10.96.0.0/12", "[]")).toBe(false);
  });
});

describe("parseAddresses", () => {
  it("reads IPv4 addresses from ip -j addr output", () => {
    const json = JSON.stringify([{ addr_info: [{ family: "inet", local: "10.96.0.10" }, { family: "inet6", local: "fe80::1" }] }]);
    expect(parseAddresses(json)).toEqual(["10.96.0.10"]);
  });
});

describe("ServiceAddresses", () => {
  /** A fake `ip`: keeps a link's addresses and routes, records every call. */
  function fakeIp() {
    const state = { link: false, addresses: new Set<string>(), routes: new Set<string>(), calls: [] as string[] };
    const ip = async (args: string[]) => {
      const line = args.join(" ");
      state.calls.push(line);
      if (line === `link show ${SERVICE_INTERFACE}`) {
        if (!state.link) throw new Error("does not exist");
        return "";
      }
      if (line.startsWith("link add")) state.link = true;
      if (line === `link del ${SERVICE_INTERFACE}`) state.link = false;
      if (line.startsWith("-j -4 addr show")) return JSON.stringify([{ addr_info: [...state.addresses].map((local) => ({ family: "inet", local })) }]);
      if (line.startsWith("-j -4 route show")) return "[]";
      if (args[0] === "addr" && args[1] === "replace") state.addresses.add(args[2].split("/")[0]);
      if (args[0] === "addr" && args[1] === "del") state.addresses.delete(args[2].split("/")[0]);
      if (args[0] === "route" && args[1] === "replace") state.routes.add(args[3]);
      if (args[0] === "route" && args[1] === "del") state.routes.delete(args[3]);
      return "";
    };
    return { state, ip };
  }

  it("adds wanted addresses, removes only its own unwanted ones, and cleans up after itself", async () => {
    const { state, ip } = fakeIp();
    const addresses = new ServiceAddresses({ serviceCIDR: "10.96.0.0/12", ip, log: silentLogger });
    await addresses.sync(["10.96.0.10", "10.96.0.20", "fd00::1"]);
    expect([...state.addresses].sort()).toEqual(["10.96.0.10", "10.96.0.20"]);
    expect(state.routes.has("10.96.0.0/12")).toBe(true);
    state.addresses.add("10.96.0.99"); // another agent's
    await addresses.sync(["10.96.0.10"]);
    expect([...state.addresses].sort()).toEqual(["10.96.0.10", "10.96.0.99"]);
    await addresses.cleanup();
    expect([...state.addresses]).toEqual(["10.96.0.99"]);
    expect(state.link).toBe(true); // still holds the other agent's address
    expect(state.routes.size).toBe(0);
  });

  it("puts back the link another agent removed", async () => {
    const { state, ip } = fakeIp();
    const addresses = new ServiceAddresses({ ip, log: silentLogger });
    await addresses.sync(["10.96.0.10"]);
    state.link = false;
    state.addresses.clear();
    await addresses.sync(["10.96.0.10"]);
    expect(state.link).toBe(true);
    expect([...state.addresses]).toEqual(["10.96.0.10"]);
  });
});
