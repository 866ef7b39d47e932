import { readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, test } from "vitest";
import {
  ENVIRONMENT_NAME_PATTERN,
  KEY_NAME_PATTERN,
  parseDotEnv,
  parseTags,
  SECRET_NAME_PATTERN,
  secretNameProblem,
} from "./rules";

describe("name rules", () => {
  test("are the SDK's patterns (read from its source, since the UI imports no other package)", () => {
    const sdk = readFileSync(join(process.cwd(), "../sdk/src/secret-types.ts"), "utf8");
    for (const [name, pattern] of [
      ["SECRET_NAME_PATTERN", SECRET_NAME_PATTERN],
      ["KEY_NAME_PATTERN", KEY_NAME_PATTERN],
      ["ENVIRONMENT_NAME_PATTERN", ENVIRONMENT_NAME_PATTERN],
    ] as const) {
      expect(sdk).toContain(`export const ${name} = ${pattern.toString()};`);
    }
  });

  test("a bad name gets a suggestion that passes", () => {
    expect(secretNameProblem("slack")).toBeNull();
    expect(secretNameProblem("__proto__")).not.toBeNull();
    expect(secretNameProblem("My Key")).toContain("(e.g. my_key)");
  });

  test(".env lines and tags parse as a user writes them", () => {
    expect(parseDotEnv("A=1\n\n# x\nexport B='two words'\nC=\"l1\\nl2\"\nnot a line\n")).toEqual([
      { key: "A", value: "1" },
      { key: "B", value: "two words" },
      { key: "C", value: "l1\nl2" },
    ]);
    expect(parseTags("team=secops, tier = 1")).toEqual({ tags: { team: "secops", tier: "1" } });
    expect(parseTags("oops")).toHaveProperty("problem");
  });
});
