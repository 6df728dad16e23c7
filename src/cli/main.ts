// The `sdprompt` command: the same core as the editor, for scripts and CI.

import { isatty } from 'node:tty';
import { parseArgs, type ParseArgsConfig } from 'node:util';
import { env as ortEnv } from 'onnxruntime-node';
import { EXIT, exitCodeForSignal, type CommandContext, UsageError } from './context';
import { doctorCommand } from './commands/doctor';
import { debugNoiseCommand, debugScheduleCommand } from './commands/debug';
import { GENERATE_SETTING_KEYS, generateCommand } from './commands/generate';
import { importCommand } from './commands/import';
import { parseCommand } from './commands/parse';
import { RUN_SETTING_KEYS, runCommand } from './commands/run';
import { tokenizeCommand } from './commands/tokenize';
import { statusCommand } from './commands/status';
import { verifyCommand } from './commands/verify';
import { watermarkReadCommand } from './commands/watermark';
import { SDPROMPT_VERSION } from '../core/version';
import { isExecutionProviderName } from '../core/models/providers';
import { mayUseGpu } from '../core/models/provider-choice';
import { crashReport, defaultLogFile, LogFile, runWithRuntimeLog, userFdFromEnv, writeFd } from './runtime-log';
import { settingOptions, WATERMARK_OPTIONS } from './setting-flags';

const USAGE = `sdprompt ${SDPROMPT_VERSION}: Stable Diffusion from .sdprompt files, locally, through ONNX Runtime

Usage:
  sdprompt run FILE [--block NAME|INDEX] [--schedule TYPE] [NOISE OPTIONS] [IMAGE OPTIONS] [--model DIR] [--provider NAME] [--threads N] [--json]
  sdprompt generate --prompt TEXT [--negative TEXT] [--seed S] [--steps N] [--cfg X]
                    [--sampler NAME] [--schedule TYPE] [--size WxH] [NOISE OPTIONS] [IMAGE OPTIONS] [--model DIR] [--out DIR] [--json]
  sdprompt verify FILE [--block NAME|INDEX] [--model DIR] [--models DIR]… [--provider NAME] [--json]
  sdprompt status FILE [--check] [--json]
  sdprompt parse FILE
  sdprompt doctor [--model DIR] [--provider NAME] [--json]
  sdprompt tokenize [--model DIR] TEXT
  sdprompt import IMAGE… [--into FILE]
  sdprompt watermark read IMAGE… [--json]
  sdprompt debug noise --seed S --shape 1,4,8,8 [--rng numpy|torch|nv] [--subseed S --subseed-strength X]
  sdprompt debug schedule --sampler NAME [--schedule TYPE] --steps N [--model DIR]

Noise options (as the prompt file's settings; for run they override the file's):
  --rng numpy|torch|nv    --subseed S --subseed-strength 0..1    --no-watermark

Image and run options (as the prompt file's settings; for run they override the file's):
  --init FILE [--strength 0..1] [--resize stretch|crop|fill]
  --mask FILE [--mask-invert] [--mask-blur PX] [--masked-content original|fill|latent noise|latent nothing]
              [--inpaint-area whole|masked] [--padding PX]
  --outpaint "left 64, right 32"    --depth FILE|auto
  --vae DIR (another folder's VAE in place of the model's)   --batch N (seeds a UNet call)
Files named by options are relative to the working directory.

Without --model (and without 'model:' in the file), the shipped demo model is used.
run, generate, verify and doctor also take --device N (the GPU for CUDA and DirectML), --log FILE
(the runtime's messages; default ${defaultLogFile()}) and --low-memory (close the text encoders after
encoding on the CPU too, as on a GPU provider, and open them again for the next prompt).

Exit codes: 0 done; 1 the prompt file or request has errors; 2 bad command line;
3 the model folder is missing or invalid; 4 an image could not be made or written;
5 (verify) an image made again differs; 6 (status --check) an image is new, stale, edited
or left over; 130 interrupted (Ctrl+C); 143 terminated (SIGTERM).`;

interface Command {
  options: NonNullable<ParseArgsConfig['options']>;
  run(ctx: CommandContext, values: Record<string, string | boolean | undefined>, positionals: string[]): Promise<number>;
}

const json = { type: 'boolean' } as const;
const str = { type: 'string' } as const;
const sessionOptions = { model: str, provider: str, threads: str, device: str, 'low-memory': { type: 'boolean' }, log: str } as const;

const COMMANDS: Record<string, Command> = {
  run: { options: { block: str, ...settingOptions(RUN_SETTING_KEYS), ...WATERMARK_OPTIONS, ...sessionOptions, json }, run: runCommand },
  generate: {
    options: { prompt: str, ...settingOptions(GENERATE_SETTING_KEYS), ...WATERMARK_OPTIONS, out: str, ...sessionOptions, json },
    run: generateCommand,
  },
  verify: { options: { block: str, models: { type: 'string', multiple: true }, ...sessionOptions, json }, run: verifyCommand },
  status: { options: { check: { type: 'boolean' }, json }, run: statusCommand },
  parse: { options: {}, run: parseCommand },
  doctor: { options: { ...sessionOptions, json }, run: doctorCommand },
  tokenize: { options: { model: str }, run: tokenizeCommand },
  import: { options: { into: str }, run: importCommand },
  'watermark read': { options: { json }, run: watermarkReadCommand },
  'debug noise': { options: { seed: str, shape: str, rng: str, subseed: str, 'subseed-strength': str }, run: debugNoiseCommand },
  'debug schedule': { options: { sampler: str, schedule: str, steps: str, model: str }, run: debugScheduleCommand },
};

export async function main(argv: string[], ctx: CommandContext): Promise<number> {
  if (argv.length === 0 || argv[0] === '--help' || argv[0] === '-h' || argv[0] === 'help') {
    ctx.stdout(USAGE);
    return argv.length === 0 ? EXIT.usage : EXIT.ok;
  }
  if (argv[0] === '--version') {
    ctx.stdout(SDPROMPT_VERSION);
    return EXIT.ok;
  }
  const name = argv[0] === 'debug' || argv[0] === 'watermark' ? `${argv[0]} ${argv[1] ?? ''}` : argv[0]!;
  const command = COMMANDS[name];
  if (!command) {
    ctx.stderr(`sdprompt: unknown command '${name}'\n\n${USAGE}`);
    return EXIT.usage;
  }
  const rest = argv.slice(name.split(' ').length);
  try {
    const { values, positionals } = parseArgs({ args: rest, options: command.options, allowPositionals: true, strict: true });
    return await command.run(ctx, values as Record<string, string | boolean | undefined>, positionals);
  } catch (e) {
    const usage = e instanceof UsageError || (e as NodeJS.ErrnoException).code?.startsWith('ERR_PARSE_ARGS');
    if (!usage) throw e;
    ctx.stderr(`sdprompt ${name}: ${(e as Error).message}\nRun 'sdprompt --help' for usage.`);
    return EXIT.usage;
  }
}

/** The value of `--name VALUE` or `--name=VALUE` in raw arguments, before they are parsed. */
function rawOption(argv: readonly string[], name: string): string | undefined {
  for (let i = 0; i < argv.length; i++) {
    if (argv[i] === `--${name}`) return argv[i + 1];
    if (argv[i]!.startsWith(`--${name}=`)) return argv[i]!.slice(name.length + 3);
  }
  return undefined;
}

/** Whether this command may start a GPU runtime, whose messages then go to the log (runtime-log.ts). */
function mayStartGpuRuntime(argv: readonly string[]): boolean {
  if (argv[0] === 'doctor') return true;
  if (argv[0] !== 'run' && argv[0] !== 'generate' && argv[0] !== 'verify') return false;
  const provider = rawOption(argv, 'provider') ?? 'auto';
  return isExecutionProviderName(provider) && mayUseGpu(provider);
}

function runHere(argv: string[], log: LogFile, userFd: number | undefined): void {
  // Writing straight to the terminal, ONNX Runtime's own log lines are coloured noise beside our
  // messages ("Failed to persist telemetry device ID" where HOME cannot be written); its errors
  // reach us as exceptions. Set before its first session, when it reads the level.
  if (userFd === undefined) ortEnv.logLevel = 'fatal';
  // In a child whose stderr is the log, the user's messages go to the descriptor the parent gave.
  const toUser = userFd === undefined ? (text: string) => process.stderr.write(text) : (text: string) => writeFd(userFd, text);
  const controller = new AbortController();
  // Ctrl+C and SIGTERM both stop after the current step, removing temporary files; a second
  // signal quits at once (what it leaves is removed by the next run).
  let stoppedBy: NodeJS.Signals | undefined;
  const stop = (signal: NodeJS.Signals) => {
    if (stoppedBy) process.exit(exitCodeForSignal(signal));
    stoppedBy = signal;
    const how = signal === 'SIGINT' ? 'Ctrl+C again' : `${signal} again`;
    toUser(`\nsdprompt: ${signal === 'SIGINT' ? '' : `${signal}: `}stopping after this step (${how} to quit at once)\n`);
    controller.abort();
  };
  process.on('SIGINT', () => stop('SIGINT'));
  process.on('SIGTERM', () => stop('SIGTERM'));
  const ctx: CommandContext = {
    stdout: (text) => process.stdout.write(`${text}\n`),
    stderr: (text) => toUser(`${text}\n`),
    progress: (userFd === undefined ? process.stderr.isTTY : isatty(userFd)) ? toUser : undefined,
    log: userFd === undefined ? (text) => log.write(text) : (text) => process.stderr.write(`${text}\n`),
    cwd: process.cwd(),
    signal: controller.signal,
  };
  main(argv, ctx).then(
    (code) => {
      process.exitCode = code === EXIT.interrupted && stoppedBy ? exitCodeForSignal(stoppedBy) : code;
    },
    (e: unknown) => {
      toUser(`sdprompt: internal error: ${(e as Error).stack ?? String(e)}\n`);
      process.exitCode = EXIT.internal;
    },
  );
}

if (require.main === module) {
  const argv = process.argv.slice(2);
  const log = new LogFile(rawOption(argv, 'log') ?? defaultLogFile());
  const userFd = userFdFromEnv();
  if (userFd === undefined && mayStartGpuRuntime(argv)) {
    runWithRuntimeLog(__filename, argv, log).then(
      ({ code, signal }) => {
        if (signal) process.stderr.write(`${crashReport(signal, log)}\n`);
        process.exitCode = code;
      },
      (e: unknown) => {
        process.stderr.write(`sdprompt: cannot start the model process: ${(e as Error).message}\n`);
        process.exitCode = EXIT.internal;
      },
    );
  } else {
    runHere(argv, log, userFd);
  }
}
