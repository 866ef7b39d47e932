// `coffer serve` serves the web build: index.html for each client route with a strict CSP and a
// fresh nonce per response, the hashed assets with long caching, and the API as before.
import assert from "node:assert/strict";
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, describe, test } from "node:test";
import { startTestApp, type TestApp } from "./testing.js";
import { contentSecurityPolicy, WEB_ROUTES } from "./web.js";

describe("the web UI's build served at /", () => {
  let t: TestApp;
  let dir: string;
  before(async () => {
    dir = mkdtempSync(join(tmpdir(), "coffer-web-"));
    mkdirSync(join(dir, "assets"));
    writeFileSync(
      join(dir, "index.html"),
      '<html><head><meta name="csp-nonce" content="__COFFER_CSP_NONCE__"><script type="module" src="/assets/app-1.js"></script></head></html>',
    );
    writeFileSync(join(dir, "assets", "app-1.js"), "console.log(1)");
    writeFileSync(join(dir, "assets", "style-1.css"), "body{}");
    writeFileSync(join(dir, "favicon.svg"), "<svg/>");
    t = await startTestApp("sqlite", {}, { web: dir });
  });
  after(async () => {
    await t.close();
    rmSync(dir, { recursive: true, force: true });
  });

  test("every client route answers index.html with a strict CSP whose nonce is in the page and new each time", async () => {
    const nonces = new Set<string>();
    for (const url of ["/", "/login", "/credentials", "/credentials/anything", "/runs", "/runs/run_123"]) {
      const res = await t.call("GET", url, { token: null });
      assert.equal(res.statusCode, 200, url);
      assert.match(String(res.headers["content-type"]), /^text\/html/);
      const csp = String(res.headers["content-security-policy"]);
      const nonce = /'nonce-([A-Za-z0-9+/=]+)'/.exec(csp)?.[1];
      assert.ok(nonce, csp);
      assert.equal(csp, contentSecurityPolicy(nonce));
      assert.ok(!csp.includes("unsafe-inline") && !csp.includes("unsafe-eval"), csp);
      assert.match(csp, /script-src 'self';/);
      assert.match(csp, /frame-ancestors 'none'/);
      assert.ok(res.body.includes(`content="${nonce}"`), "the page carries the response's nonce");
      assert.ok(!res.body.includes("__COFFER_CSP_NONCE__"));
      assert.equal(res.headers["x-content-type-options"], "nosniff");
      assert.equal(res.headers["cache-control"], "no-store");
      nonces.add(nonce);
    }
    assert.equal(nonces.size, 6, "a fresh nonce per response");
    assert.equal(WEB_ROUTES.length, 6);
  });

  test("assets are served with their type, hashed ones cached for good; an unknown one is a 404 in the API's format", async () => {
    const js = await t.call("GET", "/assets/app-1.js", { token: null });
    assert.equal(js.statusCode, 200);
    assert.match(String(js.headers["content-type"]), /^text\/javascript/);
    assert.equal(js.headers["cache-control"], "public, max-age=31536000, immutable");
    assert.equal(js.body, "console.log(1)");
    const css = await t.call("GET", "/assets/style-1.css", { token: null });
    assert.match(String(css.headers["content-type"]), /^text\/css/);
    const icon = await t.call("GET", "/favicon.svg", { token: null });
    assert.equal(icon.headers["content-type"], "image/svg+xml");
    assert.equal(icon.headers["cache-control"], "no-cache");
    const missing = await t.call("GET", "/assets/nope.js", { token: null });
    assert.equal(missing.statusCode, 404);
    assert.equal(missing.json().error.code, "route_not_found");
  });

  test("the API is unchanged: it still needs a token and answers JSON", async () => {
    const res = await t.call("GET", "/api/v1/whoami", { token: null });
    assert.equal(res.statusCode, 401);
    const ok = await t.call("GET", "/api/v1/whoami");
    assert.equal(ok.statusCode, 200);
    assert.equal(ok.json().role, "admin");
    const doc = await t.call("GET", "/api/v1/openapi.json", { token: null });
    assert.ok(
      !Object.keys(doc.json().paths).some((p: string) => !p.startsWith("/api/")),
      "UI routes stay out of the API document",
    );
  });
});
