// The OpenAPI document validates under @apidevtools/swagger-parser and Redocly's recommended lint,
// with an operationId and a security requirement on every operation.
import assert from "node:assert/strict";
import { after, before, describe, test } from "node:test";
import SwaggerParser from "@apidevtools/swagger-parser";
import { createConfig, lintFromString } from "@redocly/openapi-core";
import { startTestApp, type TestApp } from "../testing.js";

type Operation = { operationId?: string; security?: unknown[] };

describe("the OpenAPI document", () => {
  let t: TestApp;
  let doc: { paths: Record<string, Record<string, Operation>>; servers?: unknown[] };
  before(async () => {
    t = await startTestApp("sqlite");
    const res = await t.call("GET", "/api/v1/openapi.json", { token: null });
    assert.equal(res.statusCode, 200);
    doc = res.json();
  });
  after(async () => t.close());

  test("validates under @apidevtools/swagger-parser (every $ref resolves)", async () => {
    await SwaggerParser.validate(structuredClone(doc) as never);
  });

  test("passes Redocly's recommended lint with no error and no warning", async () => {
    const config = await createConfig({
      extends: ["recommended"],
      rules: {
        // `/secrets/by-name/{name}` and `/secrets/{id}/versions` look alike to the rule, but the
        // router matches the static `by-name` segment first, as OpenAPI says a client must.
        "no-ambiguous-paths": "off",
      },
    });
    const problems = await lintFromString({ source: JSON.stringify(doc), absoluteRef: "/openapi.json", config });
    assert.deepEqual(
      problems.map((p) => `${p.severity} ${p.ruleId}: ${p.message} at ${p.location[0]?.pointer ?? ""}`),
      [],
    );
  });

  test("every operation has a unique operationId and security (public ones an empty list)", () => {
    const ids = new Set<string>();
    const open: string[] = [];
    for (const [path, methods] of Object.entries(doc.paths)) {
      for (const [method, op] of Object.entries(methods)) {
        const where = `${method.toUpperCase()} ${path}`;
        assert.match(op.operationId ?? "", /^[a-z][A-Za-z]+$/, `${where} has no operationId`);
        assert.ok(!ids.has(op.operationId ?? ""), `${where}: operationId ${op.operationId} is used twice`);
        ids.add(op.operationId ?? "");
        assert.ok(Array.isArray(op.security), `${where} has no security`);
        if (op.security?.length === 0) open.push(where);
      }
    }
    assert.ok(ids.size >= 19, `${ids.size} operations`);
    assert.deepEqual(open, ["GET /api/v1/health"]);
    assert.ok(Array.isArray(doc.servers) && doc.servers.length > 0);
  });
});
