import { isatty } from "node:tty";
import { decodeUtf8Value, isCofferError } from "@coffer/core";
import { Command, CommanderError } from "commander";
import { type CliContext, type CliIo, createCliContext } from "./context.js";
import { CommandExit } from "./exit.js";
import { promptHidden } from "./prompt.js";

export type Register = (program: Command, context: CliContext) => unknown;

/** A command group: the first words that name it, and its module, loaded only when needed. */
export interface CommandGroup {
  words: string[];
  load: () => Promise<Register[]>;
}

/** The group a command line's first word names, if any. */
export function findGroup(groups: CommandGroup[], first: string | undefined): CommandGroup | undefined {
  return first === undefined ? undefined : groups.find((g) => g.words.includes(first));
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

/** The process's own channels, asked for when the CLI runs (not when this module loads). */
export const processIo = (): CliIo => ({
  env: process.env,
  stdout: (t) => process.stdout.write(t),
  stderr: (t) => process.stderr.write(t),
  readStdin: readAllStdin,
  // Asked of the descriptor: reading process.stdin.isTTY would open a stream on it for nothing.
  stdinIsTTY: isatty(0),
  ...(process.stdout.isTTY ? { stdoutColumns: process.stdout.columns } : {}),
  promptHidden,
});

/**
 * Runs a command line with the commands `loading` registers; returns the exit code: 0 success,
 * 1 user error, 2 internal error.
 */
export async function runCli(argv: string[], io: CliIo, loading: Promise<Register[]>): Promise<number> {
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
