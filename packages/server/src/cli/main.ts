import { decodeUtf8Value, isCofferError } from "@coffer/core";
import { Command, CommanderError } from "commander";
import { registerAuditCommands } from "./commands/audit.js";
import { registerKeysCommands } from "./commands/keys.js";
import { registerSecretsCommands } from "./commands/secrets.js";
import { registerServeCommand } from "./commands/serve.js";
import { registerTokensCommands } from "./commands/tokens.js";
import { registerVarsCommands } from "./commands/vars.js";
import { registerWorkspacesCommands } from "./commands/workspaces.js";
import { type CliIo, createCliContext } from "./context.js";

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
};

/** Runs the CLI; returns the exit code: 0 success, 1 user error, 2 internal error. */
export async function main(argv: string[], io: CliIo = processIo): Promise<number> {
  const context = createCliContext(io);
  const program = new Command("coffer")
    .description("Coffer: secrets for security automation")
    .version("0.1.0", "-V, --version")
    .exitOverride()
    .configureOutput({ writeOut: io.stdout, writeErr: io.stderr });

  registerWorkspacesCommands(program, context);
  registerSecretsCommands(program, context);
  registerKeysCommands(program, context);
  registerAuditCommands(program, context);
  registerServeCommand(program, context);
  registerTokensCommands(program, context);
  registerVarsCommands(program, context);

  try {
    await program.parseAsync(argv);
    return 0;
  } catch (error) {
    if (error instanceof CommanderError) {
      return error.exitCode === 0 ? 0 : USER_ERROR;
    }
    if (isCofferError(error)) {
      io.stderr(`error: ${error.message} [${error.code}]\n`);
      return error.isUserError ? USER_ERROR : INTERNAL_ERROR;
    }
    // Unknown errors may come from drivers; print only their class and code, never their text,
    // which could quote data.
    const e = error as { name?: string; code?: string };
    io.stderr(
      `internal error: ${e.name ?? "Error"}${e.code ? ` (${e.code})` : ""}. Run again with COFFER_LOG_LEVEL=debug for details.\n`,
    );
    if (io.env.COFFER_LOG_LEVEL === "debug") io.stderr(`${(error as Error).stack ?? ""}\n`);
    return INTERNAL_ERROR;
  } finally {
    await context.close();
  }
}
