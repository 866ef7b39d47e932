import type { CliIo } from "./context.js";
import { LIGHT_GROUPS } from "./light.js";
import { type CommandGroup, findGroup, processIo, type Register, runCli } from "./program.js";

/**
 * The command groups, in the order `coffer --help` lists them, each with the first words that
 * name it. Each group's module (and what it imports) loads only when the command line needs it.
 */
const GROUPS: CommandGroup[] = [
  LIGHT_GROUPS.workspaces,
  LIGHT_GROUPS.secrets,
  LIGHT_GROUPS.keys,
  LIGHT_GROUPS.audit,
  { words: ["serve"], load: async () => [(await import("./commands/serve.js")).registerServeCommand] },
  LIGHT_GROUPS.tokens,
  LIGHT_GROUPS.vars,
  {
    words: ["actions", "action"],
    load: async () => {
      const [{ registerActionsCommands }, { registerActionRunCommand }] = await Promise.all([
        import("./commands/actions.js"),
        import("./commands/action-run.js"),
      ]);
      // `coffer actions run` joins the group after its other commands.
      return [registerActionsCommands, registerActionRunCommand];
    },
  },
  { words: ["run"], load: async () => [(await import("./commands/run.js")).registerRunCommand] },
  {
    words: ["workflows", "workflow"],
    load: async () => [(await import("./commands/workflow.js")).registerWorkflowCommands],
  },
];

/**
 * What to register: only the group a command line's first word names (a group's parsing and help
 * do not depend on its siblings), else every group (`--help`, `help`, an unknown or no command).
 */
async function registrars(first: string | undefined): Promise<Register[]> {
  const named = findGroup(GROUPS, first);
  if (named) return named.load();
  return (await Promise.all(GROUPS.map((g) => g.load()))).flat();
}

/** Runs the CLI; returns the exit code: 0 success, 1 user error, 2 internal error. */
export async function main(argv: string[], io: CliIo = processIo()): Promise<number> {
  // The command's module loads while the program is set up.
  return runCli(argv, io, registrars(argv[2]));
}
