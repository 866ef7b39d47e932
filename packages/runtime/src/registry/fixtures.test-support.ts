// Test fixtures: action folders written to fresh temp folders at test time.
import { mkdir, mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";

export interface FixtureFolder {
  dir: string;
  path(name: string): string;
  remove(): Promise<void>;
}

/** A temp folder holding `files` (relative path → content); no node_modules of its own. */
export async function writeFixtures(files: Record<string, string>, prefix = "coffer-fixture-"): Promise<FixtureFolder> {
  const dir = await mkdtemp(join(tmpdir(), prefix));
  for (const [name, content] of Object.entries(files)) {
    const path = join(dir, name);
    await mkdir(dirname(path), { recursive: true });
    await writeFile(path, content);
  }
  return { dir, path: (name) => join(dir, name), remove: () => rm(dir, { recursive: true, force: true }) };
}
