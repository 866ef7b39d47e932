import assert from "node:assert/strict";
import { test } from "node:test";
import { createLogger } from "@coffer/core";
import { createMasker } from "./masker.js";
import type { Masker } from "./masker.types.js";
import { createMaskingDestination } from "./masking-destination.js";

test("log lines pass the masker current at write time; without one they pass unchanged", () => {
  const lines: string[] = [];
  let current: Masker | undefined;
  const logger = createLogger({
    level: "info",
    stream: createMaskingDestination({ write: (line: string) => lines.push(line) }, () => current),
  });
  logger.info({ detail: 'tok"en-12345' }, "before the run");
  current = createMasker(['tok"en-12345']);
  logger.info({ detail: 'sent tok"en-12345' }, 'called with tok"en-12345');
  current = undefined;
  assert.equal(lines.length, 2);
  assert.ok(lines[0]!.includes('tok\\"en-12345'), "no masker yet: line unchanged");
  const line = JSON.parse(lines[1]!) as { detail: string; msg: string };
  assert.equal(line.detail, "sent ***");
  assert.equal(line.msg, "called with ***");
});
