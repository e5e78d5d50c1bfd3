#!/usr/bin/env node
// The `latchkey` command: runs the compiled CLI (npm install builds it through the prepare script).
import('../dist/adapters/cli/main.js').catch((err) => {
  console.error(err?.code === 'ERR_MODULE_NOT_FOUND' ? 'latchkey is not built yet: run `npm run build`' : err);
  process.exit(1);
});
