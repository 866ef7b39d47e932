// The server's logger keeps only value-free facts of an error: Node hangs the bytes it could not
// parse on client errors (`rawPacket`), and drivers and parsers hang inputs on theirs.
import assert from "node:assert/strict";
import { after, before, describe, test } from "node:test";
import { canary, describeLeaks, LeakHunter } from "@coffer/core/testing";
import { startTestApp, type TestApp } from "./testing.js";

describe("server log serializers", () => {
  let t: TestApp;
  before(async () => {
    t = await startTestApp("sqlite");
  });
  after(async () => {
    await t.close();
  });

  test("an error logged at trace shows its type, code and status, never its raw bytes, message or extra fields", () => {
    const token = t.tokens.viewer;
    const value = canary("logged");
    // What Node's parser gives Fastify's client error handler for `FOO /… Authorization: Bearer …`.
    const parseError = Object.assign(new Error("Parse Error: Invalid method encountered"), {
      code: "HPE_INVALID_METHOD",
      bytesParsed: 0,
      rawPacket: Buffer.from(`FOO /api/v1/whoami HTTP/1.1\r\nAuthorization: Bearer ${token}\r\n\r\n`),
    });
    // An error that quotes its input in the message and keeps it in a field.
    const quoting = Object.assign(new Error(`Unexpected token in JSON at ${value}`), {
      statusCode: 400,
      body: Buffer.from(value),
      input: value,
    });
    const before = t.logs.length;
    t.app.log.trace({ err: parseError }, "client error");
    t.app.log.error({ err: quoting }, "request failed");
    t.app.log.error({ error: quoting }, "request failed");
    const lines = t.logs.slice(before);
    assert.equal(lines.length, 3, "the three lines are written at trace level");

    const hunter = new LeakHunter({ token, value });
    assert.deepEqual(describeLeaks(hunter.find(lines.join("\n"), "log")), "");

    const first = JSON.parse(lines[0] ?? "{}") as { err?: Record<string, unknown> };
    assert.equal(first.err?.code, "HPE_INVALID_METHOD");
    assert.equal(first.err?.type, "Error");
    assert.equal("rawPacket" in (first.err ?? {}), false);
    const second = JSON.parse(lines[1] ?? "{}") as { err?: Record<string, unknown> };
    assert.equal(second.err?.statusCode ?? second.err?.status, 400);
    for (const key of ["body", "input", "stack"]) assert.equal(key in (second.err ?? {}), false, key);
  });
});
