import { CofferError } from "@coffer/core";
import type { Command } from "commander";
import type { CliContext } from "../context.js";

function parsePort(value: string): number {
  const port = Number(value);
  if (!/^\d+$/.test(value) || port > 65_535) {
    throw new CofferError(
      "invalid_argument",
      `--port must be a whole number from 0 to 65535 (got '${value.slice(0, 20)}').`,
    );
  }
  return port;
}

export function registerServeCommand(program: Command, context: CliContext): void {
  program
    .command("serve")
    .description("serve the HTTP API (COFFER_PORT, COFFER_HOST); Ctrl-C stops it gracefully")
    .option("-p, --port <port>", "port to listen on (default COFFER_PORT or 8080; 0 picks a free one)")
    .option("-H, --host <host>", "address to listen on (default COFFER_HOST or 127.0.0.1)")
    .action(async (options: { port?: string; host?: string }) => {
      const config = context.config();
      const port = options.port !== undefined ? parsePort(options.port) : config.server.port;
      const host = options.host ?? config.server.host;
      const coffer = await context.coffer();
      // Loaded here so every other command starts without Fastify and its plugins.
      const { startServer } = await import("../../http/server.js");
      const server = await startServer(config, { coffer, port, host });
      context.note(`Coffer API listening on ${server.url} (docs: ${server.url}/api/v1/docs).`);
      if (server.web) context.note(`Web UI at ${server.url}/ (sign in with an API token).`);
      context.note(
        server.tokenFile
          ? `The admin API token is in ${server.tokenFile}; create more with \`coffer tokens create --role <role>\`.`
          : "Create an API token with `coffer tokens create --role admin`.",
      );
      await server.closed;
      context.note("Coffer API stopped.");
    });
}
