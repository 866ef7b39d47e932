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
  /** Raw text to stdout / stderr, as it comes (a child's streamed output). */
  writeOut(text: string): void;
  writeErr(text: string): void;
  /** The environment the CLI was started with, for a child command (`coffer run`). */
  processEnv(): NodeJS.ProcessEnv;
  stdin(): Promise<string>;
  /**
   * One value the user types: a prompt without echo when standard input is a terminal, else
   * standard input to its end with one trailing newline stripped.
   */
  secretInput(prompt: string): Promise<string>;
  /** The terminal's width when stdout is one, for tables that fit. */
  columns(): number | undefined;
  /** A text table, cut to the terminal's width when stdout is a terminal. */
  table(headers: string[], rows: string[][]): string;
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
    writeOut: (text) => io.stdout(text),
    writeErr: (text) => io.stderr(text),
    processEnv: () => io.env,
    stdin: io.readStdin,
    async secretInput(prompt) {
      if (io.stdinIsTTY && io.promptHidden) return io.promptHidden(prompt);
      return stripOneNewline(await io.readStdin());
    },
    columns: () => io.stdoutColumns,
    table: (headers, rows) => table(headers, rows, io.stdoutColumns),
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

const GAP = 2;
/** Columns are not cut below this (or their header's width). */
const MIN_COLUMN = 8;

/**
 * A fixed-width text table for human output. With `maxWidth` (the terminal's), the widest
 * columns are narrowed until a line fits, and cells cut with "…".
 */
const SURROGATE = /[\uD800-\uDFFF]/;

/** Characters as a terminal counts them (code points); the common case costs no allocation. */
function codePoints(text: string): number {
  return SURROGATE.test(text) ? [...text].length : text.length;
}

export function table(headers: string[], rows: string[][], maxWidth?: number): string {
  // Each cell's width is counted once; lines are built by concatenation (a list of 1,000 secrets
  // is 7,000 cells, formatted while the process is young and its code not yet optimised).
  const widths = headers.map((h) => h.length);
  const counts = new Array<number[]>(rows.length);
  for (let r = 0; r < rows.length; r++) {
    const row = rows[r] as string[];
    const count = new Array<number>(row.length);
    for (let i = 0; i < row.length; i++) {
      const n = codePoints(row[i] as string);
      count[i] = n;
      if (i < widths.length && n > (widths[i] as number)) widths[i] = n;
    }
    counts[r] = count;
  }
  if (maxWidth !== undefined && maxWidth > 0) {
    const floor = headers.map((h) => Math.max(h.length, MIN_COLUMN));
    const total = () => widths.reduce((a, b) => a + b, 0) + GAP * (widths.length - 1);
    while (total() > maxWidth) {
      let widest = -1;
      for (let i = 0; i < widths.length; i++) {
        if ((widths[i] ?? 0) > (floor[i] ?? 0) && (widest < 0 || (widths[i] ?? 0) > (widths[widest] ?? 0))) widest = i;
      }
      if (widest < 0) break;
      widths[widest] = (widths[widest] ?? 0) - 1;
    }
  }
  const widest = widths.reduce((a, b) => Math.max(a, b), 0);
  const spaces = " ".repeat(Math.max(widest, GAP));
  const gap = spaces.slice(0, GAP);
  const line = (cells: string[], count: number[]) => {
    let text = "";
    for (let i = 0; i < cells.length; i++) {
      const width = widths[i] ?? 0;
      let cell = cells[i] as string;
      let n = count[i] as number;
      if (n > width) {
        cell = `${[...cell].slice(0, Math.max(width - 1, 0)).join("")}…`;
        n = codePoints(cell);
      }
      if (i > 0) text += gap;
      text += n < width ? cell + spaces.slice(0, width - n) : cell;
    }
    return text.trimEnd();
  };
  let out = line(headers, headers.map(codePoints));
  for (let r = 0; r < rows.length; r++) out += `\n${line(rows[r] as string[], counts[r] as number[])}`;
  return out;
}
