/** Thrown by a command whose exit status is not Coffer's own (`coffer run` exits with its child's). */
export class CommandExit extends Error {
  constructor(readonly exitCode: number) {
    super(`exit ${exitCode}`);
    this.name = "CommandExit";
  }
}
