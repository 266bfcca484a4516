// The CLI entry point: declares the commands and their flags (help text, defaults, ranges), loads
// each command's implementation lazily so `rnn --help` stays fast, and is the only place that
// prints errors and chooses exit codes: 0 ok, 1 data/runtime error, 2 usage error,
// 130/143 interrupted by SIGINT/SIGTERM.

import { Command, CommanderError, InvalidArgumentError, Option } from 'commander';
import { RnnError } from '../errors.js';
import type { TrainFlags } from '../settings/train-settings.js';
import { SAMPLE_DEFAULTS } from '../sample/sampler.js';
import { timeRuleHelp } from '../train/auto-settings.js';
import { ADAPT_LR, ADAPT_LR_MAX } from '../train/dynamic-eval.js';
import { float, int } from './parse.js';
import { guardWrites, stdoutWriteError } from './write-guard.js';
import { addTrainOptions, sharedOption } from './train-options.js';
import { VERSION } from '../version.js';

const kernelOption = (): Option => sharedOption('kernel');
const threadsOption = (): Option => sharedOption('threads', 'threads for the wasm kernel [default: all cores]');

function trainCommand(): Command {
  const cmd = new Command('train')
    .description('Train a character-level language model on text files.')
    .argument('[corpus...]', "UTF-8 text files ('-' reads stdin)", []);
  return addTrainOptions(cmd, { timeRule: timeRuleHelp() })
    .addHelpText('after', `
Examples:
  $ rnn train                                   # the bundled names list, about a minute
  $ rnn train shakespeare.txt --doc-split none --time 30m   # picks and prints the model
  $ rnn train poems.txt --doc-split blank --hidden 256 --time 10m
  $ rnn train shakespeare.txt --doc-split none --steps 3000 --out runs/shakespeare`)
    .action(async (corpus: string[], opts: Record<string, unknown>, cmd: Command) => {
      const { trainMain } = await import('./commands/train.js');
      await trainMain(corpus, opts as TrainFlags, (key) => cmd.getOptionValueSource(key) === 'cli');
    });
}

function sampleCommand(): Command {
  return new Command('sample')
    .description('Generate text from a checkpoint; each sample runs until EOS.')
    .argument('[checkpoint]', 'checkpoint file or run directory [default: the newest run under ./runs]')
    .optionsGroup('Sampling:')
    .addOption(new Option('--count <n>', 'number of samples').argParser(int(1, 1_000_000)).default(SAMPLE_DEFAULTS.count))
    .addOption(new Option('--prime <text>', 'text each sample starts with (after EOS)').default(SAMPLE_DEFAULTS.prime))
    .addOption(new Option('--temperature <t>', 'softmax temperature; 0 = greedy').argParser(float(0, 100)).default(SAMPLE_DEFAULTS.temperature))
    .addOption(new Option('--top-k <k>', 'sample among the k most likely characters [default: all]').argParser(int(1)))
    .addOption(new Option('--top-p <p>', 'sample among the most likely characters holding this probability mass').argParser(float(0, 1, { minOpen: true })).default(SAMPLE_DEFAULTS.topP))
    .addOption(new Option('--max-chars <n>', 'stop a sample after this many characters').argParser(int(1)).default(SAMPLE_DEFAULTS.maxChars))
    .addOption(new Option('--stop <string...>', 'also stop a sample at these strings (not printed)'))
    .addOption(new Option('--no-eos-stop', 'keep generating across EOS up to --max-chars'))
    .optionsGroup('System:')
    .addOption(new Option('--seed <n>', 'sampling seed').argParser(int(0, 4294967295)).default(SAMPLE_DEFAULTS.seed))
    .addOption(kernelOption())
    .addOption(threadsOption())
    .addOption(new Option('--json', 'one JSON object per sample: text, stop reason, log-probability, length'))
    .addHelpText('after', `
Examples:
  $ rnn sample                                  # ten samples from the newest run
  $ rnn sample runs/names/best.json --count 5 --temperature 0.5
  $ rnn sample model.json --prime "ROMEO:" --max-chars 300 --top-p 0.9`)
    .action(async (checkpoint: string | undefined, opts: Record<string, unknown>) => {
      const { sampleMain } = await import('./commands/sample.js');
      await sampleMain(checkpoint, opts);
    });
}

/** --adapt's rate. Its value is optional, so commander takes the next word for it, even a file
 *  name (`rnn eval --adapt model.json text.txt`): the message then says where the flag can go. */
function adaptRate(): (v: string) => number {
  const rate = float(0, ADAPT_LR_MAX);
  return (v) => {
    if (v.trim() !== '' && !Number.isFinite(Number(v))) {
      throw new InvalidArgumentError(`expected a number, got '${v}': put --adapt after the files for its default rate ${ADAPT_LR}, or give one (--adapt ${ADAPT_LR}).`);
    }
    return rate(v);
  };
}

function evalCommand(): Command {
  return new Command('eval')
    .description('Report loss, bits per character and perplexity of a checkpoint on text.')
    .argument('<checkpoint>', 'checkpoint file or run directory')
    .argument('<files...>', "UTF-8 text files ('-' reads stdin), split with the checkpoint's rule")
    .optionsGroup('Evaluation:')
    .addOption(new Option('--unknown <mode>', 'characters outside the vocabulary: error, or skip them').choices(['error', 'skip']).default('error'))
    .addOption(new Option('--per-doc', 'one JSON line per document on stdout: index, length (chars), nats (its EOS included); the summary goes to stderr'))
    .addOption(new Option('--baseline', "also report a Kneser-Ney n-gram model fitted on the checkpoint's training text (its recorded corpus, minus the validation split)"))
    .addOption(new Option('--baseline-order <n>', 'n-gram order of the baseline').argParser(int(1, 12)).default(7))
    .addOption(new Option('--baseline-corpus <file>', 'fit the baseline on this text instead (characters outside the vocabulary are skipped)'))
    .addOption(new Option('--adapt [lr]', `also report dynamic evaluation: score each window, then take an SGD step on it before the next (a model that adapts as it reads; a different figure from the loss) [lr default: ${ADAPT_LR}]`).argParser(adaptRate()))
    .optionsGroup('System:')
    .addOption(kernelOption())
    .addOption(threadsOption())
    .addOption(new Option('--json', 'print one JSON object to stdout'))
    .addHelpText('after', `
Examples:
  $ rnn eval runs/names/best.json held-out.txt
  $ rnn eval model.json test.txt --json | jq .bitsPerChar
  $ rnn eval model.json names.txt --per-doc | jq -s 'max_by(.nats / (.length + 1))'
  $ rnn eval runs/shakespeare held-out.txt --baseline
  $ rnn eval runs/shakespeare held-out.txt --adapt 0.3`)
    .action(async (checkpoint: string, files: string[], opts: Record<string, unknown>) => {
      const { evalMain } = await import('./commands/eval.js');
      await evalMain(checkpoint, files, opts);
    });
}

function plotCommand(): Command {
  return new Command('plot')
    .description('Plot train and validation loss of a run: an SVG (nats and bits per character) and sparklines on stdout. With several runs, their validation losses in one chart.')
    .argument('[runs...]', 'run directories, metrics.jsonl files or checkpoints [default: the newest run under ./runs]')
    .addOption(new Option('--x <axis>', 'horizontal axis: step, or time (minutes of training, validation excluded)').choices(['step', 'time']).default('step'))
    .addOption(new Option('--out <file>', 'where to write the SVG [default: loss.svg in the run directory; compare.svg for several runs]'))
    .addOption(new Option('--width <n>', 'sparkline width in characters').argParser(int(4, 400)).default(48))
    .addHelpText('after', `
Examples:
  $ rnn plot                                    # the newest run: runs/<name>/loss.svg
  $ rnn plot runs/shakespeare --out shakespeare.svg
  $ rnn plot runs/gru runs/lstm --x time --out compare.svg`)
    .action(async (runs: string[], opts: Record<string, unknown>) => {
      const { plotMain } = await import('./commands/plot.js');
      await plotMain(runs, opts);
    });
}

function infoCommand(): Command {
  return new Command('info')
    .description('Describe a checkpoint: model, vocabulary, corpus, training progress and settings.')
    .argument('[checkpoint]', 'checkpoint file or run directory [default: the newest run under ./runs]')
    .addOption(new Option('--json', 'print one JSON object'))
    .addHelpText('after', `
Examples:
  $ rnn info runs/names/best.json
  $ rnn info runs/names --json | jq .training.bestValLoss`)
    .action(async (checkpoint: string | undefined, opts: Record<string, unknown>) => {
      const { infoMain } = await import('./commands/info.js');
      await infoMain(checkpoint, opts);
    });
}

function exportCommand(): Command {
  return new Command('export')
    .description('Write a checkpoint\'s weights as a safetensors file for PyTorch (with the reference model rnn_torch.py beside it), as an ONNX model, or as a web page that samples in a browser.')
    .argument('<checkpoint>', 'checkpoint file or run directory')
    .addOption(new Option('--format <f>', 'safetensors (PyTorch), onnx (ONNX Runtime; opset 14, tokens (T, B) int64 in, logits and final states out), or web (a page that samples in a browser)').choices(['safetensors', 'onnx', 'web']).default('safetensors'))
    .addOption(new Option('--out <file>', 'where to write the weights [default: the checkpoint\'s name with .safetensors or .onnx]; web: a directory for index.html [default: the checkpoint\'s name with -web]'))
    .addOption(new Option('--json', 'print one JSON object'))
    .addHelpText('after', `
The tensors are the state_dict of nn.LSTM/GRU/RNN named \`rnn\` (one-hot input of width V,
batch_first) and nn.Linear(H, V) named \`head\`; __metadata__ holds the cell, sizes, vocabulary
and split rule. rnn_torch.py loads it with load_state_dict(strict=True).

Examples:
  $ rnn export runs/names --out names.safetensors
  $ python3 rnn_torch.py names.safetensors held-out.txt          # same loss as rnn eval
  $ python3 rnn_torch.py names.safetensors names.txt --train-steps 200 --save tuned.safetensors
  $ rnn import tuned.safetensors --out tuned.json
  $ rnn export runs/names --format web --out names-web   # open names-web/index.html`)
    .action(async (checkpoint: string, opts: Record<string, unknown>) => {
      const { exportMain } = await import('./commands/export.js');
      await exportMain(checkpoint, opts);
    });
}

function importCommand(): Command {
  return new Command('import')
    .description('Turn a safetensors file written by rnn export (or saved by rnn_torch.py) into an rnn checkpoint.')
    .argument('<file>', '.safetensors file')
    .addOption(new Option('--out <file>', 'checkpoint to write [default: the file\'s name with .json]'))
    .addOption(new Option('--force', 'replace --out if it exists'))
    .addOption(new Option('--json', 'print one JSON object'))
    .addHelpText('after', `
Float16 and bfloat16 tensors are converted to float32. The checkpoint holds weights only: sample,
eval, info and train --init-from accept it.

Examples:
  $ rnn import tuned.safetensors --out tuned.json
  $ rnn sample tuned.json --count 5`)
    .action(async (file: string, opts: Record<string, unknown>) => {
      const { importMain } = await import('./commands/import.js');
      await importMain(file, opts);
    });
}

export function buildProgram(): Command {
  const program = new Command('rnn')
    .description('Train character-level LSTM, GRU and RNN language models, sample from them, evaluate them.')
    .version(VERSION, '-V, --version')
    .option('--debug', 'print stack traces of errors')
    .showSuggestionAfterError(true)
    .addHelpText('after', `
Examples:
  $ rnn train                      # train on the bundled names list
  $ rnn sample --count 5           # names from the newest run
  $ rnn eval runs/names/best.json names.txt --json

Exit codes: 0 ok, 1 data or runtime error, 2 usage error, 130 interrupted.`);
  for (const cmd of [trainCommand(), sampleCommand(), evalCommand(), infoCommand(), plotCommand(), exportCommand(), importCommand()]) program.addCommand(cmd);
  return program;
}

/** A commander message on one line: "unknown option '--hiden'\n(Did you mean --hidden?)" →
 *  "unknown option '--hiden' (did you mean --hidden?)". */
function oneLine(message: string): string {
  return message.replace(/^error: /, '').trim().replace(/\s*\n\(Did you mean/g, ' (did you mean').replace(/\s*\n\s*/g, ' ');
}

export async function main(argv: string[]): Promise<number> {
  // `rnn sample | head`: when the reader goes away, stop quietly as Unix tools do (exit 0). Any other
  // write error ends the process here with one line and exit 1: it can arrive after the command
  // has returned 0 (write-guard.ts).
  guardWrites(process.stdout, (err) => {
    if (err.code === 'EPIPE') process.exit(0);
    const e = stdoutWriteError(err);
    process.stderr.write(`rnn: ${e.message}\nhint: ${e.hint}\n`);
    process.exit(e.exitCode);
  });
  // stderr carries only diagnostics: when it cannot be written (a log file on a full disk, a closed
  // descriptor) the command goes on without them, so a training run still saves its checkpoints
  // and its exit code still tells how it ended.
  guardWrites(process.stderr, () => {});
  // https://no-color.org: any non-empty NO_COLOR turns colour off unless FORCE_COLOR asks for it.
  if (process.env.NO_COLOR && !process.env.FORCE_COLOR) {
    const chalk = await import('chalk');
    chalk.default.level = 0;
    chalk.chalkStderr.level = 0;
  }
  const program = buildProgram();
  let usageHint = '';
  program.exitOverride();
  program.configureOutput({
    outputError: (str, write) => write(`rnn: ${oneLine(str)}\n${usageHint}`),
  });
  for (const cmd of program.commands) {
    cmd.exitOverride();
    cmd.configureOutput({ outputError: (str, write) => write(`rnn ${cmd.name()}: ${oneLine(str)}\nhint: see 'rnn ${cmd.name()} --help'\n`) });
  }
  usageHint = "hint: see 'rnn --help'\n";
  const debug = argv.includes('--debug');
  try {
    await program.parseAsync(argv, { from: 'user' });
    return 0;
  } catch (err) {
    if (err instanceof CommanderError) {
      return err.exitCode === 0 || err.code === 'commander.helpDisplayed' || err.code === 'commander.version' ? 0 : 2;
    }
    if (err instanceof RnnError) {
      process.stderr.write(`rnn: ${err.message}\n`);
      if (err.hint) process.stderr.write(`hint: ${err.hint}\n`);
      if (debug && err.stack) process.stderr.write(`${err.stack}\n`);
      return err.exitCode;
    }
    const e = err as NodeJS.ErrnoException;
    process.stderr.write(`rnn: unexpected error: ${e?.message ?? String(err)}\n`);
    if (debug && e?.stack) process.stderr.write(`${e.stack}\n`);
    else process.stderr.write('hint: run again with --debug for the stack trace, and please report it\n');
    return 1;
  }
}
