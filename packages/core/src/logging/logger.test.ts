import assert from "node:assert/strict";
import { Writable } from "node:stream";
import { test } from "node:test";
import { CofferError } from "../errors/coffer-error.js";
import { createLogger } from "./logger.js";

function capture() {
  const lines: string[] = [];
  const stream = new Writable({
    write(chunk, _encoding, done) {
      lines.push(String(chunk));
      done();
    },
  });
  return { lines, stream };
}

test("errors are logged as type, code and status only: no message, stack or attached bytes", () => {
  const { lines, stream } = capture();
  const logger = createLogger({ level: "trace", stream });
  const driverError = Object.assign(new Error("duplicate key value: CANARY_log_value"), {
    code: "23505",
    rawPacket: { data: Buffer.from("Bearer CANARY_log_token") },
  });
  logger.error({ err: driverError }, "write failed");
  logger.info({ err: new CofferError("secret_not_found", "No secret named 'x'.") }, "refused");
  const text = lines.join("");
  assert.ok(!text.includes("CANARY"), "no message or bytes of the error reach the log");
  assert.ok(!text.includes("rawPacket"));
  const [first, second] = lines.map((l) => JSON.parse(l) as { err: unknown; level: number });
  assert.deepEqual(first?.err, { type: "Error", code: "23505" });
  assert.deepEqual(second?.err, { type: "CofferError", code: "secret_not_found", status: 404 });
});

test("fields named like credentials are redacted wherever they sit", () => {
  const { lines, stream } = capture();
  createLogger({ level: "info", stream }).info(
    { req: { authorization: "Bearer CANARY_x" }, input: { value: "CANARY_y" } },
    "x",
  );
  assert.ok(!lines.join("").includes("CANARY"));
});
