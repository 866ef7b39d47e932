import { allFunctions } from "./all-functions.js";
import { createRegistry, type FunctionRegistry } from "./registry.js";

/** The registry `evaluate` and `check` use unless given another: the FN library. */
export const defaultRegistry: FunctionRegistry = createRegistry(allFunctions);
