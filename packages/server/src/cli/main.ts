import { isatty } from "node:tty";
import { decodeUtf8Value, isCofferError } from "@coffer/core";
import { Command, CommanderError } from "commander";
import { type CliContext, type CliIo, createCliContext } from "./context.js";
import { CommandExit } from "./exit.js";
import { promptHidden } from "./prompt.js";

type Register = (program: Command, context: CliContext) => unknown;

/**
 * The command groups, in the order `coffer --help` lists them, each with the first words that
 * name it. Each group's module (and what it imports) loads only when the command line needs it.
 */
const GROUPS: { words: string[]; load: () => Promise<Register[]> }[] = [
  {
    words: ["workspaces", "workspace"],
    load: async () => [(await import("./commands/workspaces.js")).registerWorkspacesCommands],
  },
  { words: ["secrets", "secret"], load: async () => [(await import("./commands/secrets.js")).registerSecretsCommands] },
  { words: ["keys", "key"], load: async () => [(await import("./commands/keys.js")).registerKeysCommands] },
  { words: ["audit"], load: async () => [(await import("./commands/audit.js")).registerAuditCommands] },
  { words: ["serve"], load: async () => [(await import("./commands/serve.js")).registerServeCommand] },
  { words: ["tokens", "token"], load: async () => [(await import("./commands/tokens.js")).registerTokensCommands] },
  { words: ["vars", "var"], load: async () => [(await import("./commands/vars.js")).registerVarsCommands] },
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
  const named = GROUPS.find((g) => first !== undefined && g.words.includes(first));
  if (named) return named.load();
  return (await Promise.all(GROUPS.map((g) => g.load()))).flat();
}

const USER_ERROR = 1;
const INTERNAL_ERROR = 2;

function readAllStdin(): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    process.stdin.on("data", (c: Buffer) => chunks.push(c));
    process.stdin.on("end", () => {
      try {
        resolve(decodeUtf8Value(Buffer.concat(chunks), "Standard input"));
      } catch (error) {
        reject(error);
      }
    });
    process.stdin.on("error", reject);
  });
}

const processIo: CliIo = {
  env: process.env,
  stdout: (t) => process.stdout.write(t),
  stderr: (t) => process.stderr.write(t),
  readStdin: readAllStdin,
  // Asked of the descriptor: reading process.stdin.isTTY would open a stream on it for nothing.
  stdinIsTTY: isatty(0),
  ...(process.stdout.isTTY ? { stdoutColumns: process.stdout.columns } : {}),
  promptHidden,
};

/** Runs the CLI; returns the exit code: 0 success, 1 user error, 2 internal error. */
export async function main(argv: string[], io: CliIo = processIo): Promise<number> {
  // The command's module loads while the program is set up.
  const loading = registrars(argv[2]);
  const context = createCliContext(io);
  // With --json, errors are JSON on stderr too, and stdout holds only the JSON document. What
  // follows `--` belongs to another program (`coffer run -- tool --json`).
  const cut = argv.indexOf("--");
  const json = (cut < 0 ? argv : argv.slice(0, cut)).includes("--json");
  const fail = (code: string, message: string) =>
    io.stderr(json ? `${JSON.stringify({ error: { code, message } })}\n` : `error: ${message} [${code}]\n`);
  const program = new Command("coffer")
    .description("Coffer: secrets for security automation")
    .version("0.1.0", "-V, --version")
    .exitOverride()
    // Options after a subcommand's operands stay theirs (`coffer run -- tool --flag`).
    .enablePositionalOptions()
    .configureOutput({
      writeOut: io.stdout,
      writeErr: io.stderr,
      ...(json
        ? {
            outputError: (text: string) =>
              io.stderr(
                `${JSON.stringify({ error: { code: "invalid_argument", message: text.replace(/^error: /, "").trim() } })}\n`,
              ),
          }
        : {}),
    });

  for (const register of await loading) register(program, context);
  // Every group answers to its singular too: `coffer secret list`, `coffer action run`.
  for (const group of program.commands) {
    if (group.name().endsWith("s") && group.commands.length > 0 && group.aliases().length === 0) {
      group.alias(group.name().slice(0, -1));
    }
  }

  try {
    await program.parseAsync(argv);
    return 0;
  } catch (error) {
    if (error instanceof CommandExit) return error.exitCode;
    if (error instanceof CommanderError) {
      // A command may ask for 2 on usage errors (`secrets check`: 1 means "does not match").
      return error.exitCode === 0 ? 0 : error.exitCode === INTERNAL_ERROR ? INTERNAL_ERROR : USER_ERROR;
    }
    if (isCofferError(error)) {
      fail(error.code, error.message);
      return error.isUserError ? USER_ERROR : INTERNAL_ERROR;
    }
    // Unknown errors may come from drivers; print only their class and code, never their text,
    // which could quote data.
    const e = error as { name?: string; code?: string };
    const text = `${e.name ?? "Error"}${e.code ? ` (${e.code})` : ""}. Run again with COFFER_LOG_LEVEL=debug for details.`;
    if (json) fail("internal_error", `Internal error: ${text}`);
    else io.stderr(`internal error: ${text}\n`);
    if (io.env.COFFER_LOG_LEVEL === "debug") io.stderr(`${(error as Error).stack ?? ""}\n`);
    return INTERNAL_ERROR;
  } finally {
    await context.close();
  }
}
