/**
 * /version. The kubectl on these machines is a dispatcher that picks its
 * binary from `minor`, so it must say 32.
 */
export const serverVersion = {
  major: "1",
  minor: "32",
  gitVersion: "v1.32.0-kubeflare",
  gitCommit: "kubeflare",
  gitTreeState: "clean",
  buildDate: "2026-11-26T00:00:00Z",
  goVersion: "n/a (Cloudflare Workers)",
  compiler: "workerd",
  platform: "cloudflare/workers",
};
