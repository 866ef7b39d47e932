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
  close(): Promise<void>;
}

export interface CliIo {
  env: NodeJS.ProcessEnv;
  stdout: (text: string) => void;
  stderr: (text: string) => void;
  readStdin: () => Promise<string>;
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
    async close() {
      if (opened) await (await opened.catch(() => undefined))?.close();
    },
  };
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
