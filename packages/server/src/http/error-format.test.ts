// Every error the server sends, also those raised before routing or by Node's HTTP parser, has
// the `{"error": {code, message, details}}` body.
import assert from "node:assert/strict";
import { connect } from "node:net";
import { after, before, describe, test } from "node:test";
import { startTestApp, type TestApp } from "./testing.js";

interface RawResponse {
  status: number;
  headers: string;
  body: string;
}

/** Sends bytes as they are (no client normalises the path or the method) and reads the reply. */
function raw(port: number, request: string): Promise<RawResponse> {
  return new Promise((resolve, reject) => {
    const socket = connect(port, "127.0.0.1");
    let data = "";
    socket.on("data", (chunk: Buffer) => {
      data += chunk.toString("utf8");
    });
    socket.on("error", reject);
    socket.on("close", () => {
      const [head = "", ...rest] = data.split("\r\n\r\n");
      const status = Number(/^HTTP\/1\.1 (\d{3})/.exec(head)?.[1] ?? 0);
      resolve({ status, headers: head, body: rest.join("\r\n\r\n") });
    });
    socket.write(request);
  });
}

function assertOurError(response: { status: number; body: string }, status: number, code: string): void {
  assert.equal(response.status, status, response.body);
  const parsed = JSON.parse(response.body) as { error?: { code?: unknown; message?: unknown; details?: unknown } };
  assert.deepEqual(Object.keys(parsed), ["error"], response.body);
  assert.equal(parsed.error?.code, code, response.body);
  assert.equal(typeof parsed.error?.message, "string");
  assert.ok(String(parsed.error?.message).length > 10);
  assert.equal(typeof parsed.error?.details, "object");
}

describe("errors outside the routes are in our format", () => {
  let t: TestApp;
  let port: number;
  before(async () => {
    t = await startTestApp("sqlite");
    await t.app.listen({ port: 0, host: "127.0.0.1" });
    const address = t.app.server.address();
    port = typeof address === "object" && address ? address.port : 0;
  });
  after(async () => t.close());

  test("a 5,000-character id is 414 uri_too_long", async () => {
    const res = await t.call("GET", `/api/v1/workspaces/default/secrets/${"a".repeat(5000)}`);
    assertOurError({ status: res.statusCode, body: res.body }, 414, "uri_too_long");
  });

  test("a broken percent escape in the path is 400 malformed_request", async () => {
    const res = await t.call("GET", "/api/v1/workspaces/default/secrets/%zz");
    assertOurError({ status: res.statusCode, body: res.body }, 400, "malformed_request");
  });

  test("a method HTTP does not know (curl -X FOO) is 400 unknown_method, and the token is not echoed", async () => {
    const res = await raw(
      port,
      `FOO /api/v1/whoami HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer ${t.tokens.admin}\r\n\r\n`,
    );
    assertOurError(res, 400, "unknown_method");
    assert.ok(!res.body.includes(t.tokens.admin));
  });

  test("headers larger than the server accepts are 431 headers_too_large", async () => {
    const res = await raw(port, `GET /api/v1/health HTTP/1.1\r\nHost: x\r\nX-Big: ${"b".repeat(40_000)}\r\n\r\n`);
    assertOurError(res, 431, "headers_too_large");
  });

  test("a header line that is not HTTP is 400 malformed_request", async () => {
    const res = await raw(port, "GET /api/v1/health HTTP/1.1\r\nHost: x\r\nNot a header line\r\n\r\n");
    assertOurError(res, 400, "malformed_request");
  });

  test("a path that climbs out of the docs' static files (curl --path-as-is) is 404 in our format", async () => {
    for (const path of [
      "/api/v1/docs/static/../x",
      "/api/v1/docs/static/../../../../etc/passwd",
      "/api/v1/docs/static/%2e%2e/x",
    ]) {
      const res = await raw(port, `GET ${path} HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n`);
      assertOurError(res, 404, "route_not_found");
    }
  });

  test("a known method on no route is 404 route_not_found", async () => {
    const res = await raw(port, "PROPFIND /api/v1/whoami HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n");
    assertOurError(res, 404, "route_not_found");
  });
});
