/**
 * The fleet dashboard at /ui: one static page (src/ui/dashboard.html) that
 * signs in with a bearer token and reads everything through the ordinary
 * list/watch API, so RBAC decides what each user sees. The page itself holds
 * nothing secret, so it is served without a token; a browser cannot send a
 * bearer header on navigation anyway.
 */
import page from "../ui/dashboard.html";

const HEADERS = {
  "content-type": "text/html; charset=utf-8",
  "cache-control": "no-cache",
  "x-content-type-options": "nosniff",
  "referrer-policy": "no-referrer",
  // Inline script and style only, data from this origin only, never framed.
  "content-security-policy":
    "default-src 'none'; script-src 'unsafe-inline'; style-src 'unsafe-inline'; connect-src 'self'; img-src data:; base-uri 'none'; form-action 'none'; frame-ancestors 'none'",
};

export const dashboardPage = (): Response => new Response(page, { headers: HEADERS });
