import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { z } from "zod";
import { SecretItemSchema } from "./routes/secrets.schema.js";
import { serializerCompiler } from "./serializer.js";

const compile = (schema: z.ZodType) => serializerCompiler({ schema, method: "GET", url: "/x", httpStatus: "200" });

const item = {
  id: "01a24e38-6b0c-7048-9a8e-10db7c14e900",
  name: "api",
  type: "custom",
  environment: "default",
  description: null,
  tags: { team: "ir" },
  keys: ["API_KEY"],
  version: 2,
  version_count: 2,
  status: "ok",
  expires_at: null,
  expiry: { state: "expiring", days_left: 12 },
  metadata: { keys: { API_KEY: { type: "rsa", bits: 2048, format: "pem" } } },
  created_at: "2026-12-07T01:57:29.996Z",
  updated_at: "2026-12-07T01:57:29.996Z",
  updated_by: "token:admin",
};

describe("response serializer", () => {
  test("a secret item is written exactly as zod would write it", () => {
    const expected = JSON.stringify(SecretItemSchema.parse(item));
    assert.equal(compile(SecretItemSchema)(item), expected);
  });

  test("a nullable number is written as null or as the number", () => {
    const expired = { ...item, expiry: { state: "expired", days_left: -3 } };
    assert.equal(compile(SecretItemSchema)(expired), JSON.stringify(SecretItemSchema.parse(expired)));
    const none = { ...item, expiry: { state: "none", days_left: null } };
    assert.equal(compile(SecretItemSchema)(none), JSON.stringify(SecretItemSchema.parse(none)));
  });

  test("a property the schema does not declare is never written, nested or not", () => {
    const leaky = { ...item, value: "s3cr3t-canary", metadata: { ...item.metadata, plaintext: "s3cr3t-canary" } };
    const written = compile(SecretItemSchema)(leaky);
    assert.doesNotMatch(written, /s3cr3t-canary/);
    assert.deepEqual(JSON.parse(written), JSON.parse(JSON.stringify(SecretItemSchema.parse(item))));
  });

  test("a missing required property is an error, not a reply without it", () => {
    const { name: _name, ...incomplete } = item;
    assert.throws(() => compile(SecretItemSchema)(incomplete));
  });

  test("unions keep zod's behaviour", () => {
    const union = z.object({ at: z.union([z.string(), z.number()]), extra: z.unknown() });
    assert.equal(compile(union)({ at: 3, extra: [1], hidden: "x" }), '{"at":3,"extra":[1]}');
    assert.throws(() => compile(union)({ at: true, extra: null }));
    // zod writes this one as anyOf [string, integer]: two branches, neither of them null.
    const numbered = z.object({ at: z.union([z.string(), z.number().int()]) });
    assert.equal(compile(numbered)({ at: 3 }), '{"at":3}');
    assert.equal(compile(numbered)({ at: "3" }), '{"at":"3"}');
  });
});
