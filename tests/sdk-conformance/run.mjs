// Starts the emulator, runs the test files (default: every test/*.test.mjs) with node's test runner against it,
// stops the emulator. Writes a TAP copy of the results to results.tap (test.sh reads its "# pass" / "# fail" lines).
// Usage: node run.mjs [test/x.test.mjs ...]
import { spawn } from 'node:child_process';
import { readdirSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { startEmulator } from './lib/emulator.mjs';

const here = path.dirname(fileURLToPath(import.meta.url));
const suiteTimeoutMs = Number(process.env.SDK_CONFORMANCE_TIMEOUT_MS ?? 300_000);
const selected = process.argv.slice(2);
const files = selected.length > 0
  ? selected
  : readdirSync(path.join(here, 'test')).filter((f) => f.endsWith('.test.mjs')).sort().map((f) => path.join('test', f));

const emulator = await startEmulator();
console.log(`emulator pid ${emulator.pid} listening on ${emulator.url}`);
let child;
// Stopped from outside (test.sh's timeout, Ctrl+C): stop the tests and the emulator too, leave nothing running.
for (const signal of ['SIGTERM', 'SIGINT']) {
  process.once(signal, async () => {
    console.error(`error: ${signal} received; stopping the SDK conformance suite and the emulator.`);
    child?.kill('SIGKILL');
    await emulator.stop();
    process.exit(1);
  });
}
let code;
try {
  code = await new Promise((resolve) => {
    child = spawn(process.execPath, [
      '--test', '--test-concurrency=1', '--test-timeout=60000',
      '--test-reporter=spec', '--test-reporter-destination=stdout',
      '--test-reporter=tap', '--test-reporter-destination=results.tap',
      ...files,
    ], { cwd: here, stdio: 'inherit', env: { ...process.env, EMULATOR_URL: emulator.url } });
    const timer = setTimeout(() => {
      console.error(`error: the SDK conformance suite did not finish within ${suiteTimeoutMs / 1000} s; stopping it.`);
      child.kill('SIGKILL');
    }, suiteTimeoutMs);
    child.on('exit', (c, signal) => { clearTimeout(timer); resolve(c ?? (signal ? 1 : 0)); });
  });
} finally {
  await emulator.stop();
}
process.exit(code);
