// Every function definition of the default registry, in override order: a later definition with
// the same name replaces an earlier one. The FN library adds its array on the marked line.
import type { FunctionDefinition } from "./function-definition.js";
import { libraryFunctions } from "./library/index.js";
import { starterFunctions } from "./starter.js";

export const allFunctions: readonly FunctionDefinition[] = [...starterFunctions, ...libraryFunctions];
