import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { test } from "node:test";
import { CofferError } from "./coffer-error.js";
import { ERROR_CODES } from "./error-codes.js";

test("a code carries its HTTP status; a call site may still say otherwise", () => {
  assert.equal(new CofferError("secret_not_found", "x").status, 404);
  assert.equal(new CofferError("value_too_large", "x").status, 413);
  assert.equal(new CofferError("invalid_argument", "x", { status: 422 }).status, 422);
  for (const [code, status] of Object.entries(ERROR_CODES)) {
    assert.ok(/^[a-z][a-z0-9_]*$/.test(code), code);
    assert.ok(status >= 400 && status < 600, code);
  }
});

test("an error crosses a process boundary as JSON and comes back with its code, status and details", () => {
  const script = `
    import { CofferError } from ${JSON.stringify(new URL("./coffer-error.js", import.meta.url).href)};
    const error = new CofferError("secret_not_found",
      "No secret named 'slack' in environment 'prod'.", { details: { name: "slack", environment: "prod" }, cause: new Error("db said: row 7") });
    process.stdout.write(JSON.stringify(error));
  `;
  const child = spawnSync(process.execPath, ["--input-type=module", "-e", script], { encoding: "utf8" });
  assert.equal(child.status, 0, child.stderr);
  assert.ok(!child.stdout.includes("row 7"), "the cause stays behind");
  assert.ok(!child.stdout.includes("at "), "no stack crosses");
  const back = CofferError.fromJSON(JSON.parse(child.stdout));
  assert.ok(back instanceof CofferError);
  assert.equal(back.code, "secret_not_found");
  assert.equal(back.status, 404);
  assert.equal(back.message, "No secret named 'slack' in environment 'prod'.");
  assert.deepEqual(back.details, { name: "slack", environment: "prod" });
});

test("anything else coming back is an internal_error with no text of its own", () => {
  for (const junk of [
    null,
    "boom",
    { name: "CofferError", code: "made_up", message: "x" },
    { message: "secret=hunter2" },
  ]) {
    const back = CofferError.fromJSON(junk);
    assert.equal(back.code, "internal_error");
    assert.equal(back.status, 500);
    assert.ok(!back.message.includes("hunter2"));
  }
});
