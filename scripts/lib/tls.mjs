// A local certificate authority and a server certificate for 127.0.0.1/localhost.
// kubectl never sends a bearer token over plain http, so the local control
// plane serves HTTPS, and the kubeconfig carries this CA (no insecure-skip-tls-verify).
import { execFileSync } from "node:child_process";
import { existsSync, mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";

export function ensureCertificates(dir) {
  mkdirSync(dir, { recursive: true });
  const paths = {
    ca: join(dir, "ca.pem"),
    caKey: join(dir, "ca-key.pem"),
    cert: join(dir, "server.pem"),
    key: join(dir, "server-key.pem"),
  };
  if (existsSync(paths.ca) && existsSync(paths.cert) && existsSync(paths.key)) return paths;
  const run = (...args) => execFileSync("openssl", args, { stdio: ["ignore", "ignore", "pipe"] });
  run("req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1", "-nodes",
    "-keyout", paths.caKey, "-out", paths.ca, "-days", "3650", "-subj", "/CN=kubeflare-local-ca");
  const ext = join(dir, "server.ext");
  writeFileSync(ext, [
    "basicConstraints=CA:FALSE",
    "keyUsage=digitalSignature,keyEncipherment",
    "extendedKeyUsage=serverAuth",
    "subjectAltName=IP:127.0.0.1,DNS:localhost",
  ].join("\n"));
  const csr = join(dir, "server.csr");
  run("req", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1", "-nodes",
    "-keyout", paths.key, "-out", csr, "-subj", "/CN=127.0.0.1");
  run("x509", "-req", "-in", csr, "-CA", paths.ca, "-CAkey", paths.caKey, "-CAcreateserial",
    "-out", paths.cert, "-days", "825", "-extfile", ext);
  return paths;
}
