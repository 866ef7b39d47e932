import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { generatorFunctions, iterationFunctions } from "./iteration.js";
import { assertFails, callerFor } from "./test-support.js";

const fn = callerFor([...iterationFunctions, ...generatorFunctions]);

describe("iteration", () => {
  it("zip truncates to the shortest input", () => {
    assert.deepEqual(fn("zip", [1, 2], [3, 4]), [
      [1, 3],
      [2, 4],
    ]);
    assert.deepEqual(fn("zip", [1], [2, 3]), [[1, 2]]);
    assert.deepEqual(fn("zip", [], [1, 2]), []);
    assert.deepEqual(fn("zip", "ab", [1, 2]), [
      ["a", 1],
      ["b", 2],
    ]);
    assert.deepEqual(fn("zip", [1, 2]), [[1], [2]]);
    assert.deepEqual(fn("zip"), []);
    assertFails(() => fn("zip", [1], null), "type_error", /parameter 'iterables\[1\]'/);
  });

  it("iter_product is the cartesian product", () => {
    assert.deepEqual(fn("iter_product", [1, 2], [3, 4]), [
      [1, 3],
      [1, 4],
      [2, 3],
      [2, 4],
    ]);
    assert.deepEqual(fn("iter_product", [1], [2]), [[1, 2]]);
    assert.deepEqual(fn("iter_product", [], [1, 2]), []);
    assert.deepEqual(fn("iter_product"), [[]]);
    const big = Array.from({ length: 1000 }, (_, i) => i);
    assertFails(() => fn("iter_product", big, big), "limit_exceeded", /more than \d+ items/);
  });

  it("range materialises Python's range", () => {
    assert.deepEqual(fn("range", 0, 5, 1), [0, 1, 2, 3, 4]);
    assert.deepEqual(fn("range", 1, 10, 2), [1, 3, 5, 7, 9]);
    assert.deepEqual(fn("range", 5, 0, -1), [5, 4, 3, 2, 1]);
    assert.deepEqual(fn("range", 0, 0, 1), []);
    assert.deepEqual(fn("range", -5, 5, 2), [-5, -3, -1, 1, 3]);
    assert.deepEqual(fn("range", 10, 5, -2), [10, 8, 6]);
    assert.deepEqual(fn("range", 5, 0), []);
    assert.equal((fn("range", 0, 3) as number[])[0], 0);
    assertFails(() => fn("range", 0, 5, 0), "value_error", /must not be zero/);
    assertFails(() => fn("range", 0, 1.5), "type_error", /parameter 'end' must be an int, got float/);
    assertFails(() => fn("range", 0, 1e12), "limit_exceeded", /more than/);
  });
});

describe("generators", () => {
  it("uuid4 returns a fresh lower-case v4 UUID", () => {
    const a = fn("uuid4") as string;
    const b = fn("uuid4") as string;
    assert.equal(a.length, 36);
    assert.match(a, /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
    assert.notEqual(a, b);
  });
});
