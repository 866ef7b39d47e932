import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { ExpressionError } from "../errors/expression-error.js";
import { type FunctionDefinition, FunctionError } from "./function-definition.js";
import { arityBounds, broadcast, createRegistry, invokeFunction } from "./registry.js";

const ctx = { now: () => 0 };
const site = { expression: "${{ FN.f(1) }}", span: { start: 4, end: 11 } };

const add: FunctionDefinition = {
  name: "add",
  group: "Math",
  description: "a + b",
  params: [
    { name: "a", type: "int" },
    { name: "b", type: "int" },
  ],
  returns: "int",
  call: (args) => (args[0] as number) + (args[1] as number),
};
const opt: FunctionDefinition = {
  name: "opt",
  aliases: ["opt_alias"],
  group: "Test",
  description: "one required, one optional",
  params: [
    { name: "a", type: "Any" },
    { name: "b", type: "Any", optional: true },
  ],
  returns: "Any",
  call: (args) => args.length,
};
const vararg: FunctionDefinition = {
  name: "va",
  group: "Test",
  description: "varargs",
  params: [
    { name: "first", type: "str" },
    { name: "rest", type: "Any", variadic: true },
  ],
  returns: "int",
  call: (args) => args.length,
};

describe("registry", () => {
  test("looks functions up by name and alias", () => {
    const r = createRegistry([add, opt]);
    assert.equal(r.get("add"), add);
    assert.equal(r.get("opt_alias"), opt);
    assert.equal(r.get("nope"), undefined);
    assert.deepEqual(r.names(), ["add", "opt", "opt_alias"]);
  });

  test("a name or alias registered twice is refused", () => {
    const again: FunctionDefinition = { ...opt, aliases: [], call: () => "new" };
    assert.throws(() => createRegistry([opt, again]), /function 'opt' is registered twice/);
    assert.throws(() => createRegistry([opt, { ...add, aliases: ["opt_alias"] }]), /'opt_alias' is registered twice/);
  });

  test("rejects names that FN.<name> cannot reach and misplaced varargs", () => {
    assert.throws(() => createRegistry([{ ...add, name: "bad-name" }]), /not callable/);
    assert.throws(
      () =>
        createRegistry([
          {
            ...add,
            params: [
              { name: "a", type: "Any", variadic: true },
              { name: "b", type: "Any" },
            ],
          },
        ]),
      /must be the last/,
    );
  });

  test("arity bounds and Tracecat's messages", () => {
    assert.deepEqual(arityBounds(opt), { min: 1, max: 2 });
    assert.deepEqual(arityBounds(vararg), { min: 1, max: Number.POSITIVE_INFINITY });
    const r = createRegistry([add, opt, vararg]);
    assert.equal(r.arityProblem("add", 1), "Function 'add' expects at least 2 argument(s) but 1 were provided");
    assert.equal(r.arityProblem("add", 3), "Function 'add' accepts at most 2 argument(s) but 3 were provided");
    assert.equal(r.arityProblem("add", 2), undefined);
    assert.equal(r.arityProblem("va", 9), undefined);
    assert.equal(r.arityProblem("va", 0), "Function 'va' expects at least 1 argument(s) but 0 were provided");
  });

  test(".map broadcasting: zips lists (shortest wins), repeats scalars, wraps a scalar call", () => {
    assert.deepEqual(
      broadcast(
        add,
        [
          [1, 2, 3],
          [4, 5, 6],
        ],
        ctx,
      ),
      [5, 7, 9],
    );
    assert.deepEqual(broadcast(add, [[1, 2, 3], 1], ctx), [2, 3, 4]);
    assert.deepEqual(
      broadcast(
        add,
        [
          [1, 2, 3],
          [10, 20],
        ],
        ctx,
      ),
      [11, 22],
    );
    assert.deepEqual(broadcast(add, [2, 3], ctx), [5]);
    assert.deepEqual(broadcast(add, [[], 3], ctx), []);
  });

  test(".map refuses to build more items than the list limit", () => {
    const limits = { maxListLength: 2, maxOutputChars: 10, maxDepth: 5 };
    assert.throws(
      () => broadcast(add, [[1, 2, 3], 1], { ...ctx, limits }),
      (e: unknown) => e instanceof FunctionError && e.code === "limit_exceeded",
    );
  });

  test("invokeFunction reports unknown names, arity and function errors at the call site", () => {
    const failing: FunctionDefinition = {
      ...add,
      name: "fails",
      call: () => {
        throw new FunctionError("bad input", "value_error");
      },
    };
    const crashing: FunctionDefinition = {
      ...add,
      name: "crashes",
      call: () => {
        throw new TypeError("secret-value-123 is not a function");
      },
    };
    const r = createRegistry([add, failing, crashing]);
    const expectError = (fn: () => unknown, code: string, message: RegExp) =>
      assert.throws(fn, (e: unknown) => {
        assert.ok(e instanceof ExpressionError);
        assert.equal(e.code, code);
        assert.match(e.message, message);
        assert.deepEqual(e.span, site.span);
        return true;
      });
    expectError(() => invokeFunction(r, "nope", [], false, ctx, site), "unknown_function", /Unknown function 'nope'/);
    expectError(() => invokeFunction(r, "add", [1], false, ctx, site), "arity", /expects at least 2/);
    expectError(
      () => invokeFunction(r, "fails", [1, 2], false, ctx, site),
      "value_error",
      /FN\.fails failed: bad input/,
    );
    expectError(() => invokeFunction(r, "crashes", [1, 2], true, ctx, site), "value_error", /FN\.crashes\.map failed/);
    assert.throws(
      () => invokeFunction(r, "crashes", [1, 2], false, ctx, site),
      (e: unknown) => e instanceof ExpressionError && !e.message.includes("secret-value-123"),
    );
    assert.equal(invokeFunction(r, "add", [1, 2], false, ctx, site), 3);
    assert.deepEqual(invokeFunction(r, "add", [[1, 2], 10], true, ctx, site), [11, 12]);
  });
});
