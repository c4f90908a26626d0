export { keys } from './emulator.mjs';

/** The emulator's root URL, set by run.mjs. */
export const emulatorUrl = (() => {
  const url = process.env.EMULATOR_URL;
  if (!url) throw new Error('EMULATOR_URL is not set: run the suite with `npm test` (run.mjs starts the emulator).');
  return url;
})();

/** Polls fn until it returns a truthy value, at most timeoutMs. */
export async function eventually(fn, what, timeoutMs = 15_000, intervalMs = 100) {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await fn();
    if (value) return value;
    if (Date.now() > deadline) throw new Error(`${what}: not reached within ${timeoutMs / 1000} s`);
    await new Promise((r) => setTimeout(r, intervalMs));
  }
}
