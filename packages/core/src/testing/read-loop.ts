// A second process that keeps reading secrets while a test does something else (rotation,
// another server). Prints one JSON line: how many reads succeeded, failed, or found a corrupted
// secret. Stops when the file named by COFFER_TEST_STOP_FILE exists.
import { existsSync } from "node:fs";
import { openCoffer } from "../coffer.js";
import { loadConfig } from "../config/config.js";
import { storedValues } from "./index.js";

const names = (process.env.COFFER_TEST_NAMES ?? "").split(",").filter(Boolean);
const stopFile = process.env.COFFER_TEST_STOP_FILE ?? "";
const coffer = await openCoffer(loadConfig(process.env));
const workspace = await coffer.workspaces.resolve("default");
let reads = 0;
let failures = 0;
let corrupted = 0;
let missing = 0;
let firstError: string | undefined;
process.stdout.write("ready\n");
while (!existsSync(stopFile)) {
  try {
    const resolved = await storedValues(coffer, workspace.id, "default", names);
    for (const name of names) {
      const secret = resolved.get(name);
      if (!secret) missing += 1;
      else if (secret.values === null) corrupted += 1;
    }
    reads += 1;
  } catch (error) {
    failures += 1;
    firstError ??= (error as { code?: string }).code ?? (error as Error).name;
  }
}
await coffer.close();
process.stdout.write(`${JSON.stringify({ reads, failures, corrupted, missing, firstError })}\n`);
