/**
 * The Node options of every piscina worker: the process's own, and require(esm) off. piscina loads a task file with
 * require() first and import() second; on Node 20, require() of an ES module can race the loader and abort the
 * whole process (FATAL ERROR: v8::Module::IsGraphAsync must be used on an instantiated module — 1 start in 60 of a
 * crypto pool here). With require(esm) off, require() fails at once and piscina imports the file.
 */
export const workerExecArgv: readonly string[] = [...process.execArgv, '--no-experimental-require-module'];
