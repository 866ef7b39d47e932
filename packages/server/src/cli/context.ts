import { userInfo } from "node:os";
import { type Actor, type Coffer, type CofferConfig, loadConfig, openCoffer } from "@coffer/core";

/** Options every command takes. */
export interface CommonOptions {
  workspace: string;
  env: string;
  json?: boolean;
}

/** What a command module gets: lazily opened services and the output channels. */
export interface CliContext {
  config(): CofferConfig;
  /** Opens the store once per process, bootstrapping an empty database. */
  coffer(): Promise<Coffer>;
  actor(): Actor;
  /** Resolves --workspace (id or slug) to its id. */
  workspaceId(options: CommonOptions): Promise<string>;
  out(text: string): void;
  /** Human notes go to stderr so `--json` output on stdout stays parseable. */
  note(text: string): void;
  json(value: unknown): void;
  stdin(): Promise<string>;
  /**
   * One value the user types: a prompt without echo when standard input is a terminal, else
   * standard input to its end with one trailing newline stripped.
   */
  secretInput(prompt: string): Promise<string>;
  /** The terminal's width when stdout is one, for tables that fit. */
  columns(): number | undefined;
  close(): Promise<void>;
}

export interface CliIo {
  env: NodeJS.ProcessEnv;
  stdout: (text: string) => void;
  stderr: (text: string) => void;
  readStdin: () => Promise<string>;
  /** Whether standard input is a terminal (then values are prompted for without echo). */
  stdinIsTTY?: boolean;
  /** Width of the terminal stdout writes to; undefined when stdout is not a terminal. */
  stdoutColumns?: number;
  /** Asks on the terminal without echoing what is typed. */
  promptHidden?: (prompt: string) => Promise<string>;
}

export function createCliContext(io: CliIo): CliContext {
  let config: CofferConfig | undefined;
  let opened: Promise<Coffer> | undefined;
  const getConfig = () => {
    config ??= loadConfig(io.env);
    return config;
  };
  const actor = (): Actor => ({ actor: `cli:${safeUsername()}` });

  return {
    config: getConfig,
    actor,
    coffer() {
      opened ??= (async () => {
        const c = getConfig();
        const coffer = await openCoffer(c, {
          onKeyFileCreated: (path) =>
            io.stderr(
              `warning: created a new encryption key file at ${path} (mode 0600). Back it up: losing it makes every stored secret unrecoverable. In production set COFFER_ENCRYPTION_KEYS instead.\n`,
            ),
        });
        const boot = await coffer.bootstrap(actor());
        if (boot) {
          io.stderr(
            `Initialised Coffer in ${c.home}: organization and workspace 'default'. An admin API token was written to ${boot.tokenFile} (readable only by you).\n`,
          );
        }
        return coffer;
      })();
      return opened;
    },
    async workspaceId(options) {
      const coffer = await this.coffer();
      return (await coffer.workspaces.resolve(options.workspace)).id;
    },
    out: (text) => io.stdout(text.endsWith("\n") ? text : `${text}\n`),
    note: (text) => io.stderr(text.endsWith("\n") ? text : `${text}\n`),
    json: (value) => io.stdout(`${JSON.stringify(value, null, 2)}\n`),
    stdin: io.readStdin,
    async secretInput(prompt) {
      if (io.stdinIsTTY && io.promptHidden) return io.promptHidden(prompt);
      return stripOneNewline(await io.readStdin());
    },
    columns: () => io.stdoutColumns,
    async close() {
      if (opened) await (await opened.catch(() => undefined))?.close();
    },
  };
}

export function stripOneNewline(text: string): string {
  return text.endsWith("\r\n") ? text.slice(0, -2) : text.endsWith("\n") ? text.slice(0, -1) : text;
}

function safeUsername(): string {
  try {
    return userInfo().username || "unknown";
  } catch {
    return "unknown";
  }
}

/** A fixed-width text table for human output. */
export function table(headers: string[], rows: string[][]): string {
  const widths = headers.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] ?? "").length)));
  const line = (cells: string[]) =>
    cells
      .map((c, i) => c.padEnd(widths[i] ?? 0))
      .join("  ")
      .trimEnd();
  return [line(headers), ...rows.map(line)].join("\n");
}
