/**
 * Turns a custom action file (.ts, .mjs, .js) into one ES module the sandboxed child imports.
 * esbuild only parses and bundles; nothing of the file runs in the host. `@coffer/sdk` and `zod`
 * point at Coffer's own copies (by absolute file URL), so an action folder needs no
 * node_modules, and the action shares the SDK's brand and zod with the child.
 */
import { createHash } from "node:crypto";
import { createRequire } from "node:module";
import { basename, extname, join } from "node:path";
import { pathToFileURL } from "node:url";
import { build, type Plugin } from "esbuild";

export interface BundleTargets {
  sdkEntry: string;
  zodEntry: string;
}

function cofferImports(targets: BundleTargets): Plugin {
  const fromSdk = createRequire(targets.sdkEntry);
  return {
    name: "coffer-imports",
    setup(b) {
      b.onResolve({ filter: /^(@coffer\/sdk|zod)(\/.*)?$/ }, (args) => {
        let target: string;
        if (args.path === "@coffer/sdk") target = targets.sdkEntry;
        else if (args.path === "zod") target = targets.zodEntry;
        else if (args.path.startsWith("zod/")) target = fromSdk.resolve(args.path);
        else return undefined;
        return { path: pathToFileURL(target).href, external: true };
      });
    },
  };
}

/** Writes the bundle under `outDir` and returns its path; throws with esbuild's messages. */
export async function bundleActionFile(file: string, outDir: string, targets: BundleTargets): Promise<string> {
  const hash = createHash("sha256").update(file).digest("hex").slice(0, 16);
  const outfile = join(outDir, hash, `${basename(file, extname(file))}.mjs`);
  await build({
    entryPoints: [file],
    outfile,
    bundle: true,
    format: "esm",
    platform: "node",
    target: "node20",
    write: true,
    logLevel: "silent",
    plugins: [cofferImports(targets)],
    // CommonJS dependencies of an action call require(); give the ES bundle one.
    banner: {
      js: "import { createRequire as __cofferCreateRequire } from 'node:module'; const require = __cofferCreateRequire(import.meta.url);",
    },
  });
  return outfile;
}

/** esbuild's failure as one line per message, with file and line. */
export function describeBuildFailure(error: unknown): string {
  const errors = (
    error as { errors?: { text: string; location?: { file: string; line: number; column: number } | null }[] }
  ).errors;
  if (Array.isArray(errors) && errors.length) {
    return errors
      .map((e) => (e.location ? `${e.location.file}:${e.location.line}:${e.location.column}: ${e.text}` : e.text))
      .join("\n");
  }
  return error instanceof Error ? error.message : String(error);
}
