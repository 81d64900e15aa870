/**
 * The fleet dashboard (/ui) in a real headless Chromium (Debian's, driven by
 * playwright-core): sign in with a token, watch a node join and a pod created
 * with kubectl appear without a reload, and keep a screenshot of it; then a
 * user bound to `view` in one namespace signs in, types that namespace (it
 * cannot list namespaces), sees its pods, and is offered nothing to change.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { existsSync, mkdirSync } from "node:fs";
import { join, resolve } from "node:path";
import { chromium, type Browser, type Page } from "playwright-core";
import { api, kubectlFor, removeState, startControlPlane, type ControlPlane } from "../support/controlplane.js";
import { startSimKubelet, type SimKubelet } from "../support/sim-kubelet.js";

const CHROMIUM = process.env.CHROMIUM_PATH ?? "/usr/bin/chromium";
const artifacts = resolve(import.meta.dirname, "../../.artifacts");
let cp: ControlPlane;
let browser: Browser;
let page: Page;
let kubelet: SimKubelet | undefined;

beforeAll(async () => {
  if (!existsSync(CHROMIUM)) throw new Error(`Chromium is required at ${CHROMIUM} (apt-get install -y chromium, or set CHROMIUM_PATH)`);
  cp = await startControlPlane();
  browser = await chromium.launch({ executablePath: CHROMIUM, args: ["--no-sandbox", "--ignore-certificate-errors"] });
  // A phone-sized window: the dashboard must work there.
  page = await browser.newPage({ viewport: { width: 412, height: 915 }, ignoreHTTPSErrors: true });
});

afterAll(async () => {
  kubelet?.stop();
  await browser?.close();
  await cp?.stop();
  if (cp) removeState(cp.stateDir);
});

describe("dashboard at /ui", () => {
  it("serves a small page without a token, locked down by its headers", async () => {
    const response = await page.goto(`${cp.url}/ui`);
    expect(response?.status()).toBe(200);
    const headers = response!.headers();
    expect(headers["content-type"]).toContain("text/html");
    expect(headers["content-security-policy"]).toContain("frame-ancestors 'none'");
    expect((await response!.body()).length).toBeLessThan(40_000);
    await page.waitForSelector("#login:not([hidden])", { timeout: 15_000 });
  });

  it("refuses a wrong token", async () => {
    await page.fill("#token", "not-a-token");
    await page.click("button[type=submit]");
    await page.waitForFunction(() => document.getElementById("login-error")?.textContent?.includes("refused"), undefined, { timeout: 15_000 });
  });

  it("signs in, then shows a node and a pod appearing live, without a reload", async () => {
    await page.fill("#token", cp.token);
    await page.click("button[type=submit]");
    await page.waitForSelector("#app:not([hidden])", { timeout: 15_000 });
    await page.waitForFunction(() => document.getElementById("live")?.textContent === "live");
    const navigations: string[] = [];
    page.on("framenavigated", (f) => navigations.push(f.url()));

    kubelet = await startSimKubelet(cp, "ui-node-1");
    await page.waitForSelector('[data-node="ui-node-1"]', { timeout: 30_000 });
    const card = await page.textContent('[data-node="ui-node-1"]');
    expect(card).toContain("Ready");
    expect(card).toContain("CPU");

    const k = kubectlFor(cp);
    await k.ok(
      ["apply", "-f", "-"],
      `apiVersion: v1
kind: Pod
metadata: {name: ui-pod, namespace: default}
spec:
  containers:
  - name: web
    image: busybox
    resources: {requests: {cpu: 500m, memory: 256Mi}}
`,
    );
    await page.waitForSelector('[data-pod="default/ui-pod"]', { timeout: 30_000 });
    await page.waitForFunction(
      () => document.querySelector('[data-pod="default/ui-pod"]')?.textContent?.includes("Running"),
      undefined,
      { timeout: 30_000 },
    );
    expect(await page.textContent('[data-pod="default/ui-pod"]')).toContain("ui-node-1");
    // The node's allocated CPU follows the pod's request.
    await page.waitForFunction(() => document.querySelector('[data-node="ui-node-1"]')?.textContent?.includes("CPU 500m / 8 cores"), undefined, { timeout: 15_000 });

    await k.ok(["create", "deployment", "ui-web", "--image=busybox", "--replicas=2"]);
    await page.waitForSelector('[data-deployment="default/ui-web"]', { timeout: 30_000 });
    await page.waitForFunction(() => document.querySelector('[data-deployment="default/ui-web"]')?.textContent?.includes("2/2"), undefined, { timeout: 30_000 });
    await page.waitForFunction(() => document.getElementById("events")?.textContent?.includes("ScalingReplicaSet"), undefined, { timeout: 30_000 });

    expect(navigations).toEqual([]);
    mkdirSync(artifacts, { recursive: true });
    const file = join(artifacts, "dashboard.png");
    await page.screenshot({ path: file, fullPage: true });
    expect(existsSync(file)).toBe(true);
  });

  it("shows a view user its namespace's pods, explains what it may not see, and offers no writes", async () => {
    const NS = "ui-view-ns", USER = "ui-viewer";
    const k = kubectlFor(cp);
    await k.ok(["create", "namespace", NS]);
    await k.ok(["create", "rolebinding", "ui-viewer-view", "--clusterrole=view", `--user=${USER}`, "-n", NS]);
    await k.ok(["run", "ui-view-pod", "--image=busybox", "-n", NS]);
    const created = await api(cp, "POST", "/kubeflare/v1/tokens", { user: USER });
    expect(created.status, created.text).toBe(201);

    // A fresh context: nothing remembered from the admin's session.
    const context = await browser.newContext({ viewport: { width: 412, height: 915 }, ignoreHTTPSErrors: true });
    const viewer = await context.newPage();
    const writes: string[] = [];
    viewer.on("request", (r) => {
      if (r.method() !== "GET") writes.push(`${r.method()} ${new URL(r.url()).pathname}`);
    });
    try {
      await viewer.goto(`${cp.url}/ui`);
      await viewer.fill("#token", created.body.token);
      await viewer.click("button[type=submit]");
      await viewer.waitForSelector("#app:not([hidden])", { timeout: 15_000 });
      expect(await viewer.textContent("#whoami")).toBe(USER);

      // Cluster-wide lists are forbidden: each section says so, and the namespace field asks to be typed.
      await viewer.waitForFunction(() => document.getElementById("nodes-error")?.textContent?.includes("forbidden"), undefined, { timeout: 15_000 });
      await viewer.waitForFunction(() => document.getElementById("pods-error")?.textContent?.includes("Type a namespace"), undefined, { timeout: 15_000 });
      await viewer.waitForFunction(() => (document.getElementById("namespace") as HTMLInputElement).placeholder === "type one", undefined, { timeout: 15_000 });

      await viewer.fill("#namespace", NS);
      await viewer.press("#namespace", "Enter");
      await viewer.waitForSelector(`[data-pod="${NS}/ui-view-pod"]`, { timeout: 30_000 });
      await viewer.waitForFunction(() => document.getElementById("pods-error")?.textContent === "", undefined, { timeout: 15_000 });
      expect(await viewer.textContent("#deployments-error")).toBe("");
      expect(await viewer.textContent("#nodes-error")).toContain(`User "${USER}" cannot list resource "nodes"`);
      expect(await viewer.textContent("#nodes")).toBe(""); // no "no nodes yet" when it simply may not look

      // Read-only: sign-out is the one button, and the page's only non-GET request was asking who it is.
      const buttons = await viewer.$$eval("button", (bs) => bs.filter((b) => !b.closest("[hidden]")).map((b) => b.textContent?.trim()));
      expect(buttons).toEqual(["Sign out"]);
      expect(writes).toEqual(["POST /apis/authentication.k8s.io/v1/selfsubjectreviews"]);

      // A reload (the tab keeps its token) comes back to the same namespace.
      await viewer.reload();
      await viewer.waitForSelector("#app:not([hidden])", { timeout: 15_000 });
      await viewer.waitForSelector(`[data-pod="${NS}/ui-view-pod"]`, { timeout: 30_000 });
      expect(await viewer.inputValue("#namespace")).toBe(NS);
      await viewer.screenshot({ path: join(artifacts, "dashboard-view-user.png"), fullPage: true });
    } finally {
      await context.close();
    }
  });
});
