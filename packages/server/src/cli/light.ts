import type { CliIo } from "./context.js";
import { type CommandGroup, findGroup, processIo, runCli } from "./program.js";

/**
 * The command groups that need neither the HTTP server nor the action runtime. bin/coffer.cjs
 * runs them from a CommonJS bundle of this module with a V8 code cache (scripts/build.mjs), so
 * an everyday command such as `coffer secrets list` starts without the ES module loader and
 * without compiling the bundle; every other command line goes to main.ts.
 */
export const LIGHT_GROUPS = {
  workspaces: {
    words: ["workspaces", "workspace"],
    load: async () => [(await import("./commands/workspaces.js")).registerWorkspacesCommands],
  },
  secrets: {
    words: ["secrets", "secret"],
    load: async () => [(await import("./commands/secrets.js")).registerSecretsCommands],
  },
  keys: { words: ["keys", "key"], load: async () => [(await import("./commands/keys.js")).registerKeysCommands] },
  audit: { words: ["audit"], load: async () => [(await import("./commands/audit.js")).registerAuditCommands] },
  tokens: {
    words: ["tokens", "token"],
    load: async () => [(await import("./commands/tokens.js")).registerTokensCommands],
  },
  vars: { words: ["vars", "var"], load: async () => [(await import("./commands/vars.js")).registerVarsCommands] },
} satisfies Record<string, CommandGroup>;

const groups: CommandGroup[] = Object.values(LIGHT_GROUPS);

/**
 * Runs the command line when its first word names a light group and returns the exit code;
 * returns undefined (having done nothing) for any other command line.
 */
export async function lightMain(argv: string[], io?: CliIo): Promise<number | undefined> {
  const group = findGroup(groups, argv[2]);
  if (!group) return undefined;
  // The command's module loads while the program is set up.
  return runCli(argv, io ?? processIo(), group.load());
}
