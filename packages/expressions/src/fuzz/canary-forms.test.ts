import assert from "node:assert/strict";
import { test } from "node:test";
import { canaryForms, findCanary } from "./canary-forms.js";

const CANARY = "CANARY-9f3b2c-secret-Zq";

test("the canary hunter catches every derived form it promises, and not an unrelated text", () => {
  const forms = canaryForms(CANARY);
  const planted = [
    CANARY,
    CANARY.toUpperCase(),
    CANARY.toLowerCase(),
    Buffer.from(CANARY).toString("hex"),
    Buffer.from(CANARY).toString("hex").toUpperCase(),
    encodeURIComponent(`a b ${CANARY}`),
    JSON.stringify({ v: `"${CANARY}"` }),
    CANARY.slice(3, 14),
    ...[0, 1, 2].map((k) => Buffer.from(`${"x".repeat(k)}${CANARY}!`).toString("base64")),
    ...[0, 1, 2].map((k) => Buffer.from(`${"x".repeat(k)}${CANARY}`).toString("base64url")),
  ];
  for (const text of planted) assert.ok(findCanary(`error: ${text} end`, forms), text);
  assert.equal(findCanary("Secret 'api' has no key 'X'; secret values are never shown", forms), undefined);
});
