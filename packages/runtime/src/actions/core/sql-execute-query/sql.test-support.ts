import assert from "node:assert/strict";
import { isCofferError } from "@coffer/core";

/** Awaits `promise` and returns the CofferError it failed with, asserting its code. */
export async function refusedWith(promise: Promise<unknown>, code: string): Promise<Error> {
  try {
    await promise;
  } catch (error) {
    assert.ok(isCofferError(error), String(error));
    assert.equal(error.code, code, error.message);
    return error;
  }
  assert.fail(`expected ${code}`);
}
