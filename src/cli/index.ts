/**
 * The command-line program `api-live-sync` as a library: the argument
 * parser, the config file loader and {@link runCli}. The executable is
 * `main.ts`. See docs/cli.md.
 *
 * @module
 */
export {
  CLI_COMMANDS,
  DEFAULT_WATCH_INTERVAL_MS,
  RESOLVER_CHOICES,
  UsageError,
  asResolverChoice,
  formatFromOut,
  isUrlSource,
  parseCommandLine,
  parsePolicy,
} from './args.js';
export type {
  BindingCommand,
  CliCommand,
  DiffCommand,
  DiscoverCommand,
  GlobalFlags,
  HelpCommand,
  JournalCommand,
  OutFormat,
  ParsedCommand,
  ResolverChoice,
} from './args.js';
export { CONFIG_FILE_NAMES, findConfigFile, loadConfigFile, validateConfig } from './config.js';
export type { CliBindingConfig, CliConfig, LoadedConfig, ResolvedBinding } from './config.js';
export { EXIT, planDrift } from './commands.js';
export type { CliContext } from './commands.js';
export { packageVersion, runCli } from './run.js';
export type { CliIo } from './run.js';
