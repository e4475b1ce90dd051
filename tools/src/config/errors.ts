/** The configuration cannot be used: which variable or line, and why. No imports, so every layer may use it. */

/** One invalid variable: its name, the value as it may be shown, and the form it should have. */
export interface ConfigProblem {
  variable: string;
  shownValue: string;
  expected: string;
}

export class ConfigError extends Error {
  readonly problems: readonly ConfigProblem[];
  constructor(problems: readonly ConfigProblem[]) {
    const lines = problems.map((p) => `${p.variable}=${p.shownValue}: expected ${p.expected}`);
    super(`invalid configuration: ${lines.join("; ")}`);
    this.name = "ConfigError";
    this.problems = problems;
  }
}

/** One reason the .env file cannot be used as written: what, the line, and the fix. */
export interface EnvFileProblem {
  line?: number;
  what: string;
  fix: string;
}

/** The .env file is unreadable, or Compose would read a value differently from what it says. */
export class EnvFileError extends Error {
  readonly file: string;
  readonly problems: readonly EnvFileProblem[];
  constructor(file: string, problems: readonly EnvFileProblem[]) {
    super(`${file}: ${problems.map((p) => p.what).join("; ")}`);
    this.name = "EnvFileError";
    this.file = file;
    this.problems = problems;
  }
}
