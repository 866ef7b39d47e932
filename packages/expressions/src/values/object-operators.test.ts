import assert from "node:assert/strict";
import { test } from "node:test";
import { ExpressionError } from "../errors/expression-error.js";
import { evaluateTemplate } from "../evaluator/evaluate.js";

test("a timedelta divided by zero is an ExpressionError (zero_division), as 1 / 0 is", () => {
  for (const template of ["${{ FN.hours(0) / 0.00 }}", "${{ FN.hours(1) / 0 }}", "${{ FN.hours(1) / False }}"]) {
    assert.throws(
      () => evaluateTemplate(template, {}),
      (error: unknown) => error instanceof ExpressionError && error.code === "zero_division",
      template,
    );
  }
  assert.equal(
    String(evaluateTemplate("${{ FN.hours(1) / 2 }}", {})),
    String(evaluateTemplate("${{ FN.minutes(30) }}", {})),
  );
});
