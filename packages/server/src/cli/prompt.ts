import { CofferError } from "@coffer/core";

/**
 * Reads one line from the terminal without echoing it (like `gh secret set`): the prompt goes to
 * stderr, Enter ends the value, Backspace deletes, Ctrl-C cancels.
 */
export function promptHidden(prompt: string): Promise<string> {
  const stdin = process.stdin;
  return new Promise((resolve, reject) => {
    let value = "";
    const finish = () => {
      stdin.off("data", onData);
      stdin.setRawMode(false);
      stdin.pause();
      process.stderr.write("\n");
    };
    const onData = (chunk: Buffer) => {
      for (const ch of chunk.toString("utf8")) {
        if (ch === "\r" || ch === "\n" || ch === "\u0004") {
          finish();
          resolve(value);
          return;
        }
        if (ch === "\u0003") {
          finish();
          reject(new CofferError("invalid_argument", "Cancelled at the prompt: nothing was read."));
          return;
        }
        if (ch === "\u007f" || ch === "\b") value = Array.from(value).slice(0, -1).join("");
        else value += ch;
      }
    };
    // Echo off before the prompt shows, so nothing typed after it can appear.
    stdin.setRawMode(true);
    stdin.on("data", onData);
    stdin.resume();
    process.stderr.write(prompt);
  });
}
