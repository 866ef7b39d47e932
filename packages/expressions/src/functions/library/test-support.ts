// Helpers for the library's tests: call definitions directly with a fixed logical clock.
import assert from "node:assert/strict";
import {
  type ExprValue,
  type FunctionContext,
  type FunctionDefinition,
  FunctionError,
} from "../function-definition.js";

/** 2024-06-15T10:30:00Z, the logical time of every direct call in the tests. */
export const LOGICAL_NOW = Date.UTC(2024, 5, 15, 10, 30, 0);

export const testContext: FunctionContext = { now: () => LOGICAL_NOW };

export type Caller = (name: string, ...args: ExprValue[]) => ExprValue;

export function callerFor(definitions: readonly FunctionDefinition[], context: FunctionContext = testContext): Caller {
  const byName = new Map<string, FunctionDefinition>();
  for (const d of definitions) {
    byName.set(d.name, d);
    for (const alias of d.aliases ?? []) byName.set(alias, d);
  }
  return (name, ...args) => {
    const definition = byName.get(name);
    if (!definition) throw new Error(`test: no function ${name}`);
    return definition.call(args, context);
  };
}

/** Asserts that `run` throws a FunctionError of `code` whose message matches `message`. */
export function assertFails(run: () => unknown, code: FunctionError["code"], message: RegExp): void {
  assert.throws(run, (error: unknown) => {
    assert.ok(error instanceof FunctionError, `expected a FunctionError, got ${String(error)}`);
    assert.equal(error.code, code);
    assert.match(error.message, message);
    return true;
  });
}
