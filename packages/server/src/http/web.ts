// The web UI's build (packages/web, `vite build`), served at `/` by `coffer serve`: the assets as
// files, and index.html for every client route, each response with a fresh CSP nonce for the style
// elements Mantine writes (its CSS variables). The server never imports the web package: it only
// reads the files of its build.
import { randomBytes } from "node:crypto";
import { existsSync, readdirSync, readFileSync, statSync } from "node:fs";
import { dirname, extname, join, relative, sep } from "node:path";
import { fileURLToPath } from "node:url";
import type { FastifyInstance } from "fastify";

/** The client routes answered with index.html (the app routes them itself). */
export const WEB_ROUTES = ["/", "/login", "/credentials", "/credentials/*", "/runs", "/runs/*"] as const;

/** The placeholder index.html carries where the response's nonce goes. */
const NONCE_PLACEHOLDER = "__COFFER_CSP_NONCE__";

const TYPES: Record<string, string> = {
  ".js": "text/javascript; charset=utf-8",
  ".css": "text/css; charset=utf-8",
  ".svg": "image/svg+xml",
  ".png": "image/png",
  ".ico": "image/x-icon",
  ".woff2": "font/woff2",
  ".json": "application/json; charset=utf-8",
  ".txt": "text/plain; charset=utf-8",
};

/**
 * The policy of every UI response: scripts and style sheets from this origin only, style elements
 * only with this response's nonce, no inline script at all, no framing, API calls to this origin.
 */
export function contentSecurityPolicy(nonce: string): string {
  return [
    "default-src 'none'",
    "script-src 'self'",
    `style-src 'self' 'nonce-${nonce}'`,
    "img-src 'self' data:",
    "font-src 'self'",
    "connect-src 'self'",
    "manifest-src 'self'",
    "base-uri 'none'",
    "form-action 'self'",
    "frame-ancestors 'none'",
  ].join("; ");
}

/** The folder of the web build next to this server package (packages/web/dist/app), or null. */
export function findWebBuild(): string | null {
  let dir = dirname(fileURLToPath(import.meta.url));
  for (let i = 0; i < 6; i++) {
    const manifest = join(dir, "package.json");
    if (existsSync(manifest)) {
      try {
        if ((JSON.parse(readFileSync(manifest, "utf8")) as { name?: string }).name === "@coffer/server") {
          const build = join(dir, "..", "web", "dist", "app");
          return existsSync(join(build, "index.html")) ? build : null;
        }
      } catch {
        return null;
      }
    }
    dir = dirname(dir);
  }
  return null;
}

function listFiles(root: string, dir: string, out: Map<string, string>): void {
  for (const entry of readdirSync(dir)) {
    const path = join(dir, entry);
    if (statSync(path).isDirectory()) listFiles(root, path, out);
    else out.set(`/${relative(root, path).split(sep).join("/")}`, path);
  }
}

const SECURITY_HEADERS = {
  "x-content-type-options": "nosniff",
  "referrer-policy": "no-referrer",
  "x-frame-options": "DENY",
  "cross-origin-opener-policy": "same-origin",
};

/** Registers the UI's routes on `app` from the build in `root` (read once, at start). */
export function webRoutes(app: FastifyInstance, root: string): void {
  const index = readFileSync(join(root, "index.html"), "utf8");
  const files = new Map<string, string>();
  listFiles(root, root, files);
  files.delete("/index.html");
  const contents = new Map<string, Buffer>();
  for (const [url, path] of files) contents.set(url, readFileSync(path));

  const page = async (_request: unknown, reply: import("fastify").FastifyReply) => {
    const nonce = randomBytes(18).toString("base64");
    return reply
      .headers({
        ...SECURITY_HEADERS,
        "content-type": "text/html; charset=utf-8",
        "content-security-policy": contentSecurityPolicy(nonce),
        "cache-control": "no-store",
      })
      .send(index.replaceAll(NONCE_PLACEHOLDER, nonce));
  };
  for (const url of WEB_ROUTES) app.get(url, { schema: { hide: true } }, page);

  for (const [url, body] of contents) {
    // Vite names everything under /assets/ by its content hash: cached for good.
    const cache = url.startsWith("/assets/") ? "public, max-age=31536000, immutable" : "no-cache";
    app.get(url, { schema: { hide: true } }, async (_request, reply) =>
      reply
        .headers({
          ...SECURITY_HEADERS,
          "content-type": TYPES[extname(url)] ?? "application/octet-stream",
          "cache-control": cache,
        })
        .send(body),
    );
  }
}
