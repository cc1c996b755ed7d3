#!/usr/bin/env node
import { cac, type Command as CacCommand } from 'cac';
import { realpathSync, writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import {
  check,
  checkRuleList,
  doctor,
  errorLine,
  fix,
  init,
  initProbeReport,
  loadDoctorConfig,
  probe,
  type CheckResult,
  type DoctorOptions,
  type FixOptions,
  type InitOptions,
  type ProbeOptions,
  type SetupOptions,
} from './api.js';
import { RULES_BY_ID } from './rules/index.js';
import { FORMATS, formatReport, type Format, type OutputOptions } from './report/output.js';
import { isLiveTerminal, liveProgress, type Live } from './report/live.js';
import { explainRule, listRules } from './report/rules.js';
import { SEVERITY_ORDER, type Severity } from './types.js';
import { didYouMean } from './util/distance.js';
import { helpText, type OptionGroup } from './cli-help.js';
import { formatStatistics, ruleCounts } from './report/statistics.js';
import { UsageError } from './util/errors.js';
import { colorEnabled } from './util/color.js';
import { isTerminal, stdioStream, writeStderr, writeStdout } from './util/stdio.js';
import { keepParses } from './util/parse-cache.js';
import { TOOL_VERSION } from './version.js';
import { fixRequested, listBackups, runRestore } from './fixers/command.js';
import type { FixScope } from './fixers/apply.js';
import { PROBES } from './probes/index.js';
import { stopHelpers } from './probes/headers-helper.js';
import { explainProbe } from './report/probes.js';
import { displayUrl } from './probes/http.js';
import { displayPath } from './util/display.js';

/**
 * The command line: maps flags to the options of the library API (api.ts) and its results to output. Flags are
 * checked here, in the order the user meets them; the API runs the command.
 */

/** The flags as cac parses them: those that pass straight through to an API option are typed by it. */
interface CommonOptions
  extends Pick<
    DoctorOptions,
    | 'home'
    | 'project'
    | 'managedDir'
    | 'settings'
    | 'envFile'
    | 'shellEnv'
    | 'claudeVersion'
    | 'machine'
    | 'collectorVersion'
    | 'collectorManifest'
    | 'collectorEnvFile'
    | 'prometheusVersion'
    | 'offline'
    | 'prometheusUrl'
    | 'grafanaUrl'
    | 'lokiUrl'
    | 'send'
    | 'trustProject'
  > {
  format?: string;
  failOn?: string;
  quiet?: boolean;
  config?: string;
  select?: string;
  ignore?: string;
  color?: boolean;
  fix?: boolean;
  unsafeFixes?: boolean;
  dryRun?: boolean;
  showFixes?: boolean;
  scope?: string;
  timeout?: string;
  flowTimeout?: string;
  outputFile?: string;
  statistics?: boolean;
}

/**
 * Whether the terminal shows OSC 8 hyperlinks: FORCE_HYPERLINK says so either way; else a terminal known to (iTerm2,
 * WezTerm, VS Code, Ghostty, kitty, Windows Terminal, VTE 0.50+), never in CI logs or a dumb terminal.
 */
export function supportsHyperlinks(tty: boolean, env: NodeJS.ProcessEnv): boolean {
  if (env.FORCE_HYPERLINK !== undefined) return env.FORCE_HYPERLINK !== '0';
  if (!tty || env.CI || env.TERM === 'dumb') return false;
  if (['iTerm.app', 'WezTerm', 'vscode', 'ghostty'].includes(env.TERM_PROGRAM ?? '')) return true;
  if (env.KITTY_WINDOW_ID || env.WT_SESSION) return true;
  return Number(env.VTE_VERSION ?? 0) >= 5000;
}

/** `--statistics`: findings counted per rule, as text or JSON (secrets cannot occur: only ids, counts and titles). */
function statisticsReport(result: CheckResult, format: Format): string {
  const counts = ruleCounts(result.findings, (id) => RULES_BY_ID.get(id)?.title ?? PROBES.find((p) => p.id === id)?.title ?? id);
  return format === 'json' ? `${JSON.stringify(counts, null, 2)}\n` : formatStatistics(counts);
}

/** The report into the file --output-file names (the user's own choice on the command line); a failure is exit 2. */
function writeReport(file: string, text: string): void {
  try {
    writeFileSync(file, text);
  } catch (err) {
    throw new UsageError(`--output-file ${file}: ${(err as NodeJS.ErrnoException).code ?? (err as Error).message}`);
  }
}

function list(value: string | undefined): string[] {
  return (value ?? '')
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean);
}

type Command = 'doctor' | 'check' | 'probe';

/** Static commands finish synchronously; the doctor and `probe` wait for the live probes. */
function run(command: Command, paths: string[], opts: CommonOptions): number | Promise<number> {
  const format = (opts.format ?? 'pretty') as Format;
  if (!FORMATS.includes(format))
    throw new UsageError(`--format must be one of ${FORMATS.join(', ')}, not "${opts.format}"${didYouMean(String(opts.format), FORMATS)}`);
  const failOn = (opts.failOn ?? 'error') as Severity;
  if (!(failOn in SEVERITY_ORDER)) throw new UsageError(`--fail-on must be error, warning or info, not "${opts.failOn}"`);
  const select = list(opts.select);
  const ignore = list(opts.ignore);
  checkRuleList(select, '--select');
  checkRuleList(ignore, '--ignore');
  const cwd = process.cwd();
  const config = loadDoctorConfig(opts.config, cwd);
  if (opts.statistics && format !== 'pretty' && format !== 'json') throw new UsageError(`--statistics prints pretty or json, not ${format}`);
  if (opts.outputFile !== undefined && opts.outputFile.trim() === '') throw new UsageError('--output-file needs a file name');

  const filesMode = command !== 'doctor' && paths.length > 0;
  const explicitMachine = opts.machine === true || [opts.home, opts.project, opts.settings, opts.envFile, opts.managedDir].some((v) => v !== undefined);
  const setup: SetupOptions = {
    paths: command === 'doctor' ? [] : paths,
    home: opts.home,
    project: opts.project,
    managedDir: opts.managedDir,
    settings: opts.settings,
    envFile: opts.envFile,
    shellEnv: opts.shellEnv,
    machine: opts.machine,
    config,
    select,
    ignore,
    failOn,
    claudeVersion: opts.claudeVersion,
    collectorVersion: opts.collectorVersion,
    collectorManifest: opts.collectorManifest,
    collectorEnvFile: opts.collectorEnvFile,
    prometheusVersion: opts.prometheusVersion,
    cwd,
  };
  const probing = command === 'probe' || (command === 'doctor' && !opts.offline);
  // Probe flags are checked before --fix runs, so a bad flag never leaves a changed file behind.
  const probeOptions = probing ? probeFlags(opts, setup) : undefined;
  if (fixRequested(opts, filesMode, !filesMode || explicitMachine)) {
    const fixOptions: FixOptions = {
      ...setup,
      unsafe: opts.unsafeFixes,
      dryRun: opts.dryRun,
      showFixes: opts.showFixes,
      scope: opts.scope as FixScope | undefined,
    };
    const fixed = fix(fixOptions);
    writeStdout(fixed.diff);
    // Notes go to stdout before the pretty report; with a machine format (json, sarif, github), or a dry run, to stderr.
    (format === 'pretty' && !opts.dryRun ? writeStdout : writeStderr)(fixed.notes);
    writeStderr(fixed.error);
    if (fixed.exitCode !== undefined) {
      // --dry-run prints no report, and its 0 or 1 says whether there is something to fix: a file that could not
      // be examined makes it 2, with one line for each such file.
      writeStderr(fixed.unexamined.map((p) => `claude-otel-doctor: ${displayPath(p.path)}: ${p.reason}\n`).join(''));
      return fixed.exitCode;
    }
  }
  const toFile = opts.outputFile !== undefined;
  const width = isTerminal(1) && !toFile ? process.stdout.columns : undefined;
  const color = opts.color === false || toFile ? false : colorEnabled();
  const hyperlinks = !toFile && color && supportsHyperlinks(isTerminal(1), process.env);
  const reportOptions: OutputOptions = { command, format, quiet: opts.quiet, failOn, color, cwd, width, hyperlinks };
  // On a terminal, a probing run shows its report stage by stage and what it waits for (report/live.ts); on a
  // pipe, in CI, in another format or into a file, only the final text.
  const live =
    probeOptions && format === 'pretty' && !toFile && !opts.statistics && isLiveTerminal({ isTTY: isTerminal(1) }, process.env)
      ? startLive(reportOptions)
      : undefined;
  const output = (result: CheckResult) => {
    const text = opts.statistics ? statisticsReport(result, format) : formatReport(result, reportOptions);
    if (toFile) writeReport(opts.outputFile!, text);
    else writeStdout(live ? live.finish(text) : text);
    return result.exitCode;
  };
  if (!probeOptions) return output(check(setup));
  const options = { ...probeOptions, onProgress: live?.progress };
  return (command === 'probe' ? probe(options) : doctor(options)).then(output, (err) => {
    live?.stop();
    throw err;
  });
}

/** Live progress on stdout (a terminal), erased on exit too: Ctrl-C must not leave the status line behind. */
function startLive(report?: OutputOptions): Live {
  const live = liveProgress(stdioStream(1), { report });
  const stop = () => live.stop();
  process.once('exit', stop);
  return {
    ...live,
    finish(text) {
      process.off('exit', stop);
      return live.finish(text);
    },
  };
}

function seconds(value: string | undefined, flag: string): number | undefined {
  if (value === undefined) return undefined;
  const n = Number(value);
  if (!Number.isFinite(n) || n <= 0 || n > 600) throw new UsageError(`${flag} must be a number of seconds between 0 and 600, not "${value}"`);
  return n * 1000;
}

function probeFlags(opts: CommonOptions, setup: SetupOptions): ProbeOptions {
  for (const [flag, url] of [
    ['--prometheus-url', opts.prometheusUrl],
    ['--grafana-url', opts.grafanaUrl],
    ['--loki-url', opts.lokiUrl],
  ] as const) {
    if (url === undefined) continue;
    let ok = false;
    try {
      ok = ['http:', 'https:'].includes(new URL(url).protocol);
    } catch {
      ok = false;
    }
    if (!ok) throw new UsageError(`${flag} must be an http:// or https:// URL, not "${displayUrl(url)}"`);
  }
  return {
    ...setup,
    prometheusUrl: opts.prometheusUrl,
    grafanaUrl: opts.grafanaUrl,
    lokiUrl: opts.lokiUrl,
    trustProject: opts.trustProject === true,
    timeoutMs: seconds(opts.timeout, '--timeout') ?? 5000,
    flowTimeoutMs: seconds(opts.flowTimeout, '--flow-timeout'),
    send: opts.send !== false,
  };
}

const OUTPUT: OptionGroup = {
  heading: 'Output',
  options: [
    ['--format <format>', 'pretty | concise (one line each) | json | sarif | github', { default: 'pretty' }],
    ['--fail-on <severity>', 'lowest severity that makes the exit code 1: error | warning | info', { default: 'error' }],
    ['-q, --quiet', 'print only findings at or above --fail-on, and the summary'],
    ['--no-color', 'plain output (NO_COLOR and FORCE_COLOR are respected too)'],
    ['--output-file <file>', 'write the report to this file instead of standard output'],
    ['--statistics', 'count findings per rule instead of listing them ([*]: fixable with --fix); pretty or json'],
  ],
};
const RULE_SELECTION: OptionGroup = {
  heading: 'Rules',
  options: [
    ['--config <file>', 'doctor config file (default: nearest .claude-otel-doctor.json)'],
    ['--select <rules>', 'comma-separated rule ids or areas (settings/) to run'],
    ['--ignore <rules>', 'comma-separated rule ids or areas to skip'],
  ],
};
const INPUTS: OptionGroup = {
  heading: 'What to read',
  options: [
    ['--home <dir>', 'home folder to read Claude Code user settings from (default: your home)'],
    ['--project <dir>', 'project folder whose .claude/ settings apply (default: the working folder)'],
    ['--managed-dir <dir>', 'folder holding managed-settings.json (default: /etc/claude-code on Linux)'],
    ['--settings <file-or-json>', 'the --settings value Claude Code is started with'],
    ['--env-file <file>', 'read shell variables from a KEY=value file'],
    ['--no-shell-env', 'ignore the variables of this shell'],
    ['--machine', "with paths: also read this machine's home, project, managed settings and shell"],
  ],
};
const VERSIONS: OptionGroup = {
  heading: 'Versions and builds',
  options: [
    ['--claude-version <version>', 'Claude Code version to predict for (default: `claude --version`, else newest known)'],
    ['--collector-version <version>', 'collector version when no compose image tag says (default: newest known)'],
    ['--collector-manifest <file>', 'builder manifest of a custom collector build (its component list is checked)'],
    ['--collector-env-file <file>', "the collector's environment, as KEY=value lines: variables not in it count as unset"],
    ['--prometheus-version <version>', 'Prometheus version when no compose image tag says'],
  ],
};
const FIXING: OptionGroup = {
  heading: 'Fixing',
  options: [
    ['--fix', 'apply safe fixes (a backup of every changed file is kept; undo with `restore`)'],
    ['--unsafe-fixes', 'with --fix or --dry-run: apply unsafe fixes too (they may change behaviour)'],
    ['--dry-run', 'print the fixes as a unified diff and write nothing (exit 1 when there is something to fix)'],
    ['--show-fixes', 'with --fix or --dry-run: list each fix applied'],
    ['--scope <scope>', 'with --fix: where a variable that is set nowhere goes: user (default) | project | local'],
  ],
};
const PROBING: OptionGroup = {
  heading: 'Live probes',
  options: [
    ['--prometheus-url <url>', "Prometheus to probe (default: the compose service's published port, else http://localhost:9090)"],
    ['--grafana-url <url>', 'Grafana to probe (a user:password@ in it signs in; else GRAFANA_TOKEN, else the compose admin password, else admin/admin)'],
    ['--loki-url <url>', "Loki to probe (default: the compose service's published port, else http://localhost:3100)"],
    ['--timeout <seconds>', 'hard timeout of each probe request', { default: '5' }],
    ['--flow-timeout <seconds>', 'how long the end-to-end check waits for its data (default: twice the scrape interval + 5 s)'],
    ['--no-send', 'send no probe telemetry (skips the end-to-end check)'],
    [
      '--trust-project',
      "treat the project's .claude/settings.json and settings.local.json as your own: run their otelHeadersHelper, send your credentials to their endpoint",
    ],
  ],
};
const OFFLINE: OptionGroup = { heading: 'Live probes', options: [['--offline', 'static rules only: no live probes']] };
const INIT: OptionGroup = {
  heading: 'Local stack',
  options: [
    ['--dir <path>', 'folder for the local stack (default: ~/.claude/telemetry, where the doctor reads it)'],
    ['--home <dir>', 'home folder whose .claude/settings.json gets the telemetry settings (default: your home)'],
    ['--force', 'replace files that differ from what init writes (a backup is kept; undo with `restore`)'],
    ['--dry-run', 'print what would be written (files and the settings diff) and write nothing'],
    ['--no-start', 'do not run docker compose up'],
    ['--wait <seconds>', 'after docker compose up: how long to wait for the services before the live checks (default: 90)'],
    ['--no-color', 'plain output (NO_COLOR and FORCE_COLOR are respected too)'],
  ],
};
const ENTERPRISE: OptionGroup = {
  heading: 'Central endpoint (--enterprise)',
  options: [
    ['--enterprise', 'settings for a central OTLP endpoint, to roll out as managed settings (needs --endpoint)'],
    ['--endpoint <url>', 'the OTLP endpoint every machine sends to'],
    ['--protocol <protocol>', 'grpc | http/protobuf | http/json (default: grpc on port 4317, else http/protobuf)'],
    ['--team <name>', 'team.id resource attribute (a team_id label)'],
    ['--department <name>', 'department resource attribute'],
    ['--cost-center <name>', 'cost_center resource attribute'],
    ['--headers-helper <path>', 'absolute path of the otelHeadersHelper script on the machines (HTTP protocols only)'],
    ['--header <name=value>', 'a header without a credential, e.g. X-Scope-OrgID=acme (repeatable)'],
    ['--out <dir>', 'output folder (default: ./claude-telemetry-rollout)'],
  ],
};
const KUBERNETES: OptionGroup = {
  heading: 'Team stack on Kubernetes (--kubernetes, with the central endpoint options)',
  options: [
    ['--kubernetes', "also the cluster side: collector chart values, ServiceMonitor, Grafana ConfigMaps; --endpoint is the collector's Ingress"],
    ['--namespace <name>', 'namespace of the collector, Prometheus and Grafana (default: monitoring)'],
    ['--prometheus-release <name>', "kube-prometheus-stack's release: the label its Prometheus selects (default: kube-prometheus-stack)"],
    ['--prometheus-url <url>', "Grafana's URL for that Prometheus (default: its Service in the namespace)"],
    ['--loki-url <url>', "Loki's OTLP URL (default: http://loki-gateway.<namespace>.svc/otlp)"],
    ['--ingress-class <name>', 'ingress class of the Ingress (default: nginx)'],
  ],
};

/** The exit code; a Promise for the commands that probe (the doctor without --offline, and `probe`). */
export function main(argv: string[], mode: { parseOnly?: boolean } = {}): number | Promise<number> {
  const cli = cac('claude-otel-doctor');
  let exitCode = 0;
  let pending: Promise<number> | undefined;
  const settle = (code: number | Promise<number>) => {
    if (typeof code === 'number') exitCode = code;
    else pending = code;
  };
  /** Each command's option headings in --help, by raw option name. */
  const headings = new Map<CacCommand, Map<string, string>>();
  const withGroups = <T extends CacCommand>(cmd: T, ...groups: OptionGroup[]): T => {
    const own = new Map<string, string>();
    for (const g of groups)
      for (const [raw, description, config] of g.options) {
        cmd.option(raw, description, config);
        own.set(raw, g.heading);
      }
    headings.set(cmd, own);
    return cmd;
  };
  withGroups(
    cli.command('', "Diagnose this machine's Claude Code telemetry setup, stage by stage: static rules and live probes").alias('doctor'),
    OUTPUT,
    RULE_SELECTION,
    INPUTS,
    VERSIONS,
    FIXING,
    PROBING,
    OFFLINE,
  )
    .example((bin) => `  $ ${bin}                      # this machine: settings, stack files, live probes`)
    .example((bin) => `  $ ${bin} --offline --fix      # repair what the static rules can, no network`)
    .action((opts: CommonOptions) => settle(run('doctor', [], opts)));
  withGroups(
    cli.command(
      'probe [...paths]',
      'Live probes only: OTLP endpoints, collector, Prometheus, Loki, Grafana, and an end-to-end data check; with paths, probe the stack those files describe',
    ),
    OUTPUT,
    RULE_SELECTION,
    INPUTS,
    VERSIONS,
    PROBING,
  )
    .example((bin) => `  $ ${bin} probe --prometheus-url http://localhost:9090`)
    .example((bin) => `  $ ${bin} probe infra/telemetry --no-send   # the stack those files describe, sending nothing`)
    .action((paths: string[], opts: CommonOptions) => settle(run('probe', paths, opts)));
  withGroups(
    cli.command('check [...paths]', 'Static rules only, no network; with paths, CI mode on those files and folders'),
    OUTPUT,
    RULE_SELECTION,
    INPUTS,
    VERSIONS,
    FIXING,
  )
    .example((bin) => `  $ ${bin} check infra/ --format sarif > doctor.sarif   # CI on a config repo`)
    .example((bin) => `  $ ${bin} check --dry-run                             # the fixes as a diff, nothing written`)
    .action((paths: string[], opts: CommonOptions) => {
      settle(run('check', paths, opts));
    });
  cli
    .command('rules', 'List every rule')
    .option('--format <format>', 'pretty | json', { default: 'pretty' })
    .action((opts: { format: string }) => {
      if (opts.format !== 'pretty' && opts.format !== 'json')
        throw new UsageError(`--format of rules must be pretty or json, not "${opts.format}"${didYouMean(String(opts.format), ['pretty', 'json'])}`);
      writeStdout(listRules(opts.format === 'json', colorEnabled()));
    });
  cli.command('explain <rule-id>', 'Explain one rule: what it checks, why, examples, fix').action((given: string) => {
    const id = ruleIdOf(given);
    const rule = RULES_BY_ID.get(id);
    const probe = PROBES.find((p) => p.id === id);
    if (!rule && !probe)
      throw new UsageError(`unknown rule "${given}"${didYouMean(given, [...RULES_BY_ID.keys(), ...PROBES.map((p) => p.id)])} (see claude-otel-doctor rules)`);
    writeStdout(rule ? explainRule(rule, colorEnabled()) : explainProbe(probe!, colorEnabled()));
  });
  cli
    .command('restore [backup]', 'Put back the files a --fix or init run changed (the newest run, or a backup folder or its timestamp name)')
    .option('--force', 'restore files even when they changed since the fix')
    .option('--list', 'list the backups, oldest first')
    .action((backup: string | undefined, opts: { force?: boolean; list?: boolean }) => {
      if (opts.list)
        writeStdout(
          listBackups()
            .map((d) => `${d}\n`)
            .join(''),
        );
      else {
        const restored = runRestore(backup, opts.force === true, process.cwd());
        writeStdout(restored.text);
        exitCode = restored.exitCode;
      }
    });
  const initCommand = cli.command(
    'init',
    'Write a working setup: a local stack (collector, Prometheus, Loki, Grafana with a dashboard) and your Claude Code settings; with --enterprise, settings for a central endpoint',
  );
  withGroups(initCommand, INIT, ENTERPRISE, KUBERNETES)
    .example((bin) => `  $ ${bin} init                # write and start the local stack, point Claude Code at it`)
    .example((bin) => `  $ ${bin} init --enterprise --endpoint https://otel.example.com:4318 --team platform`)
    .example((bin) => `  $ ${bin} init --kubernetes --endpoint https://otel.example.com --out team-telemetry`)
    .action((opts: InitOptions) => {
      // On a terminal: a status line while init waits, compose's output indented under init's lines, as it comes, and
      // the closing live checks stage by stage.
      const live = isLiveTerminal({ isTTY: isTerminal(1) }, process.env) ? startLive(initProbeReport(opts.color)) : undefined;
      const run = init({
        ...opts,
        onOutput: (text) => (live ? live.write(text) : writeStdout(text)),
        onErrorOutput: (text) => writeStderr(text),
        onProgress: live?.progress,
      });
      settle(
        run.then(
          (r) => {
            live?.finish();
            return r.exitCode;
          },
          (err) => {
            live?.stop();
            throw err;
          },
        ),
      );
    });
  cli.option('-h, --help', 'show this help (after a command: its options)');
  cli.version(TOOL_VERSION);
  try {
    cli.parse(['node', 'claude-otel-doctor', ...argv], { run: false });
    keepTypedValues(cli, argv);
    keepBooleanFlags(cli, argv);
    if (cli.options.help) {
      const cmd = cli.matchedCommand ?? cli.globalCommand;
      writeStdout(helpText('claude-otel-doctor', TOOL_VERSION, cmd, cli.commands, cli.globalCommand.options, headings.get(cmd) ?? new Map()));
      return 0;
    }
    if (cli.options.version) return 0;
    const unknown = Object.keys(cli.options).filter((k) => k !== '--' && !knownOption(cli, k));
    if (unknown.length) {
      const option = `--${unknown[0].replace(/[A-Z]/g, (ch) => `-${ch.toLowerCase()}`)}`;
      // probe takes no fix options: say why, rather than only that it does not know them.
      if (cli.matchedCommand?.name === 'probe' && FIXING.options.some(([raw]) => raw.split(' ')[0] === option))
        throw new UsageError(`probe changes no file: use ${option} with the doctor or check`);
      throw new UsageError(`unknown option ${option}${didYouMean(option, optionNames(cli), '')} (see --help)`);
    }
    if ((!cli.matchedCommand || cli.matchedCommand.name === '') && cli.args.length > 0)
      throw new UsageError(`unknown command "${cli.args[0]}"${didYouMean(cli.args[0], commandNames(cli))} (see --help)`);
    if (mode.parseOnly) {
      // Every check cac makes before an action (missing values, required and extra arguments), nothing run:
      // the README test uses this to keep each documented command line valid.
      const cmd = cli.matchedCommand ?? cli.globalCommand;
      cmd.checkOptionValue();
      cmd.checkRequiredArgs();
      cmd.checkUnusedArgs();
      return 0;
    }
    cli.runMatchedCommand();
    return pending ? pending.catch(failure) : exitCode;
  } catch (err) {
    return failure(err);
  }
}

function failure(err: unknown): number {
  writeStderr(errorLine(err));
  const usage = err instanceof UsageError || (err as Error)?.name === 'CACError';
  if (!usage && process.env.CLAUDE_OTEL_DOCTOR_DEBUG) writeStderr(`${String((err as Error)?.stack)}\n`);
  return 2;
}

/**
 * cac's parser (mri) turns numeric-looking option values into numbers: `--collector-version 0.110` would arrive
 * as 0.11 and `--cost-center 0042` as 42. Every option that takes a value is read again from argv, as typed; a
 * repeated option keeps all its values.
 */
function keepTypedValues(cli: ReturnType<typeof cac>, argv: string[]): void {
  const cmd = cli.matchedCommand ?? cli.globalCommand;
  const end = argv.includes('--') ? argv.indexOf('--') : argv.length;
  for (const option of [...cmd.options, ...cli.globalCommand.options]) {
    if (option.required === undefined) continue; // a boolean flag
    const spellings = option.rawName.split(/[\s,]+/).filter((n) => n.startsWith('-'));
    const values: string[] = [];
    for (let i = 0; i < end; i++) {
      const a = argv[i];
      for (const flag of spellings) {
        if (a === flag && i + 1 < end) values.push(argv[++i]);
        else if (a.startsWith(`${flag}=`)) values.push(a.slice(flag.length + 1));
      }
    }
    if (values.length) cli.options[option.name] = values.length === 1 ? values[0] : values;
  }
}

/**
 * mri knows cac's boolean flags by their camelCase names only, so a hyphenated one (`--dry-run`, `--unsafe-fixes`,
 * `--trust-project`) swallows the word after it: `check --dry-run repo/` lost the path. The word goes back to the
 * arguments and the flag is true.
 */
function keepBooleanFlags(cli: ReturnType<typeof cac>, argv: string[]): void {
  const cmd = cli.matchedCommand ?? cli.globalCommand;
  const end = argv.includes('--') ? argv.indexOf('--') : argv.length;
  for (const option of [...cmd.options, ...cli.globalCommand.options]) {
    if (option.required !== undefined || option.negated || typeof cli.options[option.name] === 'boolean') continue;
    const flags = option.rawName.split(/[\s,]+/).filter((n) => n.startsWith('--'));
    const at = argv.findIndex((a, i) => i < end - 1 && flags.includes(a));
    if (at < 0) continue;
    cli.options[option.name] = true;
    (cli.args as string[]).push(argv[at + 1]);
  }
}

/** The long options the matched command takes, as written (`--format`), for "did you mean". */
function optionNames(cli: ReturnType<typeof cac>): string[] {
  const cmd = cli.matchedCommand ?? cli.globalCommand;
  return [...cmd.options, ...cli.globalCommand.options].flatMap((o) => o.rawName.match(/--[\w-]+/g) ?? []);
}

function commandNames(cli: ReturnType<typeof cac>): string[] {
  return cli.commands.map((c) => c.name).filter((n) => n !== '' && !n.startsWith('['));
}

/** A rule id as given, or the one rule whose name it is without the area (`missing-protocol`). */
function ruleIdOf(given: string): string {
  if (given.includes('/')) return given;
  const ids = [...RULES_BY_ID.keys(), ...PROBES.map((p) => p.id)].filter((id) => id.endsWith(`/${given}`));
  if (ids.length > 1) throw new UsageError(`"${given}" names ${ids.length} rules: ${ids.join(', ')}; give one with its area`);
  return ids[0] ?? given;
}

function knownOption(cli: ReturnType<typeof cac>, key: string): boolean {
  const cmd = cli.matchedCommand ?? cli.globalCommand;
  const all = [...cmd.options, ...cli.globalCommand.options];
  return all.some((o) => o.names.includes(key) || o.names.includes(key.replace(/^no/, '').replace(/^./, (c) => c.toLowerCase())));
}

// Run only when executed (directly, through a bin symlink, or npx), not when imported by tests.
function invokedDirectly(): boolean {
  try {
    return !!process.argv[1] && realpathSync(process.argv[1]) === realpathSync(fileURLToPath(import.meta.url));
  } catch {
    return false;
  }
}

/**
 * The process around main(): signal handling, the exit code, and the parses kept between runs when the bin keeps
 * caches (`caches`: src/entry.ts). For the bin and a direct run. Output goes through util/stdio.ts, which ends it
 * quietly when the reader stops early (`| head`) and makes any other failure to write the report one line and exit 2.
 */
export function runFromCommandLine(caches?: { parsesFile: string; stamp: string }): void {
  if (caches) keepParses(caches.parsesFile, caches.stamp);
  // A helper runs in its own process group, which the terminal's Ctrl-C does not reach: end it before leaving.
  for (const [signal, code] of [
    ['SIGINT', 130],
    ['SIGTERM', 143],
  ] as const) {
    process.on(signal, () => {
      stopHelpers();
      process.exit(code);
    });
  }
  void Promise.resolve(main(process.argv.slice(2))).then((code) => {
    process.exitCode = code;
  });
}

if (invokedDirectly()) runFromCommandLine();
