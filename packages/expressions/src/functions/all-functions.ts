// Every function definition of the default registry: the FN library (`library/`).
import type { FunctionDefinition } from "./function-definition.js";
import { libraryFunctions } from "./library/index.js";

export const allFunctions: readonly FunctionDefinition[] = libraryFunctions;
