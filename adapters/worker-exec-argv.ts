import { Worker } from 'node:worker_threads';

const requireEsmOff = '--no-experimental-require-module';

/**
 * The options of `argv` that Node refuses in a worker (V8 and per-process ones: --max-old-space-size, --stack-size,
 * --title…), read from Node's own check: the Worker constructor validates execArgv and throws before it starts a
 * thread. When nothing is refused the probe worker (empty code) is stopped at once.
 */
const refusedInWorkers = (argv: readonly string[]): string[] => {
  try {
    const probe = new Worker('', { eval: true, execArgv: [...argv], stdout: true, stderr: true });
    probe.unref();
    void probe.terminate();
    return [];
  } catch (err) {
    if ((err as { code?: string }).code !== 'ERR_WORKER_INVALID_EXEC_ARGV') throw err;
    const message = (err as Error).message;
    return message.slice(message.indexOf(': ') + 2).split(', ');
  }
};

/** The process's options a worker accepts: V8 flags apply to the whole process already and are not repeated. */
const inheritable = (argv: readonly string[]): string[] => {
  if (argv.length === 0) return [];
  const refused = new Set(refusedInWorkers(argv));
  const kept = argv.filter((a) => !refused.has(a));
  // A refused option given with its value as a separate argument leaves the value behind: inherit nothing then.
  return kept.length < argv.length && refusedInWorkers(kept).length > 0 ? [] : kept;
};

/**
 * The Node options of every piscina worker: the process's own that a worker accepts, and require(esm) off. piscina
 * loads a task file with require() first and import() second; on Node 20, require() of an ES module can race the
 * loader and abort the whole process (FATAL ERROR: v8::Module::IsGraphAsync must be used on an instantiated
 * module — 1 start in 60 of a crypto pool here). With require(esm) off, require() fails at once and piscina imports
 * the file. An explicit execArgv is checked by Node where an inherited one is not: passing on a V8 flag such as
 * `node --max-old-space-size=512 … serve` would stop the server at start.
 */
export const workerExecArgv: readonly string[] = [...inheritable(process.execArgv), requireEsmOff];
