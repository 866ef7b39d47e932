// JSON text of an expression value with a bound on its length, so shared references
// (`[big] * 100000`) cannot blow up memory before the output limit is noticed.
import { ExprObject, type ExprValue } from "../functions/function-definition.js";
import { BudgetExceeded, tick } from "../limits/budget.js";

const MAX_DEPTH = 512;

/** JSON.stringify semantics (ExprObjects through toJSON, NaN/Infinity as null), bounded. */
export function toJsonText(value: ExprValue, maxChars: number): string {
  const parts: string[] = [];
  let length = 0;
  const push = (text: string) => {
    length += text.length;
    if (length > maxChars)
      throw new BudgetExceeded(`The JSON text would be longer than the limit of ${maxChars} characters`);
    parts.push(text);
  };
  const write = (v: ExprValue | undefined, depth: number): void => {
    tick();
    if (depth > MAX_DEPTH) throw new BudgetExceeded("The value is nested too deeply to render as JSON");
    if (v === null || v === undefined) {
      push("null");
      return;
    }
    switch (typeof v) {
      case "string": {
        push(JSON.stringify(v));
        return;
      }
      case "number": {
        push(Number.isFinite(v) ? String(v) : "null");
        return;
      }
      case "boolean": {
        push(v ? "true" : "false");
        return;
      }
    }
    if (v instanceof ExprObject) {
      push(JSON.stringify(v.toJSON()) ?? "null");
      return;
    }
    if (Array.isArray(v)) {
      push("[");
      for (let i = 0; i < v.length; i++) {
        if (i) push(",");
        write(v[i], depth + 1);
      }
      push("]");
      return;
    }
    push("{");
    let first = true;
    for (const key of Object.keys(v)) {
      if (!first) push(",");
      first = false;
      push(JSON.stringify(key));
      push(":");
      write(v[key], depth + 1);
    }
    push("}");
  };
  write(value, 0);
  return parts.join("");
}
