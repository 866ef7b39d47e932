import { createRequire } from "node:module";
import { Worker } from "node:worker_threads";

/**
 * The checkpoint thread's whole program: its own connection to the file, which checkpoints
 * (PASSIVE: never blocks a writer or a reader) whenever another connection has committed since
 * its last look. A string rather than a file, so the CLI bundle needs no extra file beside it.
 */
const PROGRAM = `
const { parentPort, workerData } = require("node:worker_threads");
const Database = require(workerData.driver);
const db = new Database(workerData.path, { fileMustExist: true, timeout: 0 });
const changed = db.prepare("select data_version from pragma_data_version").pluck();
const checkpoint = db.prepare("pragma wal_checkpoint(PASSIVE)");
// The commits before this thread started are in the WAL too: the first look always checkpoints.
let seen = -1;
const timer = setInterval(() => {
  try {
    const now = changed.get();
    if (now === seen) return;
    seen = now;
    checkpoint.get();
  } catch {
    // Busy or gone: the writers' own checkpoint (wal_autocheckpoint) is the backstop.
  }
}, workerData.intervalMs);
parentPort.once("message", () => {
  clearInterval(timer);
  db.close();
  parentPort.close();
});
`;

export interface CheckpointOptions {
  /** Write transactions this process commits before the thread starts (a CLI command never gets there). */
  afterWrites: number;
  /** How often the thread looks for new commits. */
  intervalMs: number;
}

/**
 * Moves WAL checkpoints off the writing thread. A checkpoint copies every page a write put in
 * the WAL back into the database file: for a secret create that is about 55 µs of the writer's
 * time, paid as a 20+ ms stall every few hundred creates. A long-running writer hands that to a
 * worker thread with its own connection. Short-lived processes never start it: the thread
 * starts only once this process has committed `afterWrites` transactions.
 */
export function backgroundCheckpoints(path: string, options: CheckpointOptions) {
  let writes = 0;
  let worker: Worker | undefined;
  let exited: Promise<void> | undefined;
  const start = () => {
    worker = new Worker(PROGRAM, {
      eval: true,
      workerData: { path, driver: createRequire(import.meta.url).resolve("better-sqlite3"), ...options },
      // The thread's few allocations need no default-sized heap.
      resourceLimits: { maxOldGenerationSizeMb: 16, maxYoungGenerationSizeMb: 4 },
    });
    worker.unref();
    exited = new Promise((resolve) => {
      worker!.once("exit", () => resolve());
      // A failed thread leaves checkpoints to the writers' backstop; the store keeps working.
      worker!.once("error", () => {});
    });
  };
  return {
    /** Called after each committed write transaction. */
    committed(): void {
      if (++writes === options.afterWrites) start();
    },
    get running(): boolean {
      return worker !== undefined;
    },
    /** Stops the thread (closing its connection) and waits for it to exit. */
    async stop(): Promise<void> {
      if (!worker) return;
      // Unreferenced while it runs (it must not keep a finished process alive), but its exit is awaited.
      worker.ref();
      worker.postMessage("stop");
      await exited;
      worker = undefined;
    },
  };
}
