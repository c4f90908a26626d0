// Starts the built AiServer.ProviderEmulator on a free loopback port and stops it again.
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import path from 'node:path';

const here = path.dirname(fileURLToPath(import.meta.url));
export const repoRoot = path.resolve(here, '..', '..', '..');

/** The keys the emulator is started with; each SDK must present its provider's key or get the provider's 401. */
export const keys = {
  replicate: 'r8_sdk_conformance',
  elevenlabs: 'el_sdk_conformance',
  sync: 'sync_sdk_conformance',
  huggingface: 'hf_sdk_conformance',
  bfl: 'bfl_sdk_conformance',
  supabase: 'sb_secret_sdk_conformance',
};

const startTimeoutMs = 30_000;

export function emulatorDll() {
  const dll = path.join(repoRoot, 'AiServer.ProviderEmulator', 'bin', 'Release', 'net10.0', 'AiServer.ProviderEmulator.dll');
  if (!existsSync(dll)) {
    throw new Error(`${dll} does not exist: build it first (dotnet build AiServer.ProviderEmulator -c Release).`);
  }
  return dll;
}

/** Starts the emulator; resolves to { url, stop() } once it listens and /health answers. */
export async function startEmulator({ jobDuration = '00:00:01' } = {}) {
  const args = [
    emulatorDll(),
    '--urls', 'http://127.0.0.1:0',
    '--environment', 'Production',
    '--Logging:LogLevel:Default', 'Warning',
    '--Logging:LogLevel:Microsoft.Hosting.Lifetime', 'Information',
    '--Emulator:JobDuration', jobDuration,
    '--Emulator:Replicate:ApiKey', keys.replicate,
    '--Emulator:Replicate:Models:0', 'aiserver/trained',
    '--Emulator:ElevenLabs:ApiKey', keys.elevenlabs,
    '--Emulator:SyncLabs:ApiKey', keys.sync,
    '--Emulator:HuggingFace:ApiKey', keys.huggingface,
    '--Emulator:Bfl:ApiKey', keys.bfl,
    '--Emulator:Supabase:ApiKey', keys.supabase,
    '--Emulator:Supabase:Functions:get_stats', '{"jobs":3,"ok":true}',
  ];
  const child = spawn('dotnet', args, { stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, DOTNET_NOLOGO: '1' } });
  let output = '';
  const url = await new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`the emulator did not report its address within ${startTimeoutMs / 1000} s; its output:\n${output}`));
    }, startTimeoutMs);
    const onData = (chunk) => {
      output += chunk;
      const match = /Now listening on: (http:\/\/127\.0\.0\.1:\d+)/.exec(output);
      if (match) {
        clearTimeout(timer);
        resolve(match[1]);
      }
    };
    child.stdout.setEncoding('utf8').on('data', onData);
    child.stderr.setEncoding('utf8').on('data', onData);
    child.on('error', (err) => { clearTimeout(timer); reject(new Error(`could not start dotnet: ${err.message}`)); });
    child.on('exit', (code) => { clearTimeout(timer); reject(new Error(`the emulator exited (code ${code}) before listening; its output:\n${output}`)); });
  });
  const health = await fetch(`${url}/health`, { signal: AbortSignal.timeout(10_000) });
  if (!health.ok) {
    child.kill('SIGKILL');
    throw new Error(`the emulator's /health answered ${health.status}`);
  }
  const stop = () => new Promise((resolve) => {
    if (child.exitCode !== null || child.signalCode !== null) return resolve();
    const timer = setTimeout(() => child.kill('SIGKILL'), 10_000);
    child.once('exit', () => { clearTimeout(timer); resolve(); });
    child.kill('SIGTERM');
  });
  return { url, pid: child.pid, stop, output: () => output };
}
