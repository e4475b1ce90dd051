// biome-ignore-all lint/suspicious/noTemplateCurlyInString: .env text, where ${VAR} is Compose syntax
import assert from "node:assert/strict";
import { chmodSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, describe, test } from "node:test";
import { envFileFindings } from "../../src/commands/doctor-rules.ts";
import { dotenvValues, parseDotenv } from "../../src/config/dotenv.mjs";
import { EnvFileError, loadConfig, readEnvFile } from "../../src/config/env.ts";
import { formatUserError, registerSecrets, toUserError } from "../../src/errors.ts";

const dir = mkdtempSync(join(tmpdir(), "wpdb-env-file-"));
after(() => rmSync(dir, { recursive: true, force: true }));
let counter = 0;
function envFile(text: string): string {
  const file = join(dir, `${++counter}.env`);
  writeFileSync(file, text);
  return file;
}
const valuesOf = (text: string, env: Record<string, string> = {}) =>
  dotenvValues(parseDotenv(text, (name) => env[name]).entries);

/** The one message a command prints for this .env (what tools/src/errors.ts shows the user). */
function messageFor(text: string): string {
  try {
    loadConfig({ WALLPAPERDB_ENV_FILE: envFile(text) });
  } catch (error) {
    assert.ok(error instanceof EnvFileError, String(error));
    return formatUserError(toUserError(error));
  }
  return assert.fail("the .env was accepted");
}

describe(".env read with Compose's rules", () => {
  test("a file with Windows line endings reads exactly like one with Unix line endings", () => {
    const unix = "COMPOSE_PROJECT_NAME=wallpaperdb\nPOSTGRES_PORT=6543\nGRAFANA_ADMIN_USER='admin'\n";
    assert.deepEqual(valuesOf(unix.replaceAll("\n", "\r\n")), valuesOf(unix));
    const config = loadConfig({ WALLPAPERDB_ENV_FILE: envFile(unix.replaceAll("\n", "\r\n")) });
    assert.equal(config.composeProjectName, "wallpaperdb");
    assert.equal(config.ports.POSTGRES_PORT, 6543);
  });

  test("$$ and single quotes keep a literal $; double quotes and bare values interpolate", () => {
    assert.deepEqual(valuesOf("A=pa$$word1\nB='pa$word1'\nC=\"pa\\$word1\"\n"), {
      A: "pa$word1",
      B: "pa$word1",
      C: "pa$word1",
    });
    assert.deepEqual(valuesOf("USER_A=seed\nURL=nats://${USER_A}@h:4222\nX=$USER_A-x\n"), {
      USER_A: "seed",
      URL: "nats://seed@h:4222",
      X: "seed-x",
    });
    assert.equal(valuesOf("A=${UNSET:-fallback}\n").A, "fallback");
    assert.equal(valuesOf("A=x\nB=${A}\n", { A: "from the shell" }).B, "from the shell");
  });

  test("comments, export and quoted values as Compose reads them", () => {
    assert.deepEqual(valuesOf("# comment\nexport A=1\nB=x # note\nC=x#y\nD=\"two\nlines\"\nE='it\\'s'\n"), {
      A: "1",
      B: "x",
      C: "x#y",
      D: "two\nlines",
      E: "it's",
    });
  });

  test("a `$` Compose would read as an unset variable is refused, naming the variable, the line and the fix", () => {
    registerSecrets(["pa$word1"]);
    const message = messageFor("POSTGRES_USER=wallpaperdb\nPOSTGRES_PASSWORD=pa$word1\n");
    assert.match(
      message,
      /^error: \S+ line 2: POSTGRES_PASSWORD contains a \$ that Compose reads as a reference/,
    );
    assert.match(message, /where: \S+\.env:2/);
    assert.match(message, /fix: +write a literal \$ as \$\$, or put the whole value in single quotes/);
    assert.doesNotMatch(message, /word1/, "no part of the password is shown");
    assert.match(messageFor("MINIO_BUCKET=wall$papers\n"), /MINIO_BUCKET contains \$papers/);
  });

  test("a line Compose refuses is named with its line number", () => {
    assert.match(messageFor('A=1\nB="never closed\n'), /line 2: the quoted value of B is never closed/);
    assert.match(messageFor("A=1\n\nBAD KEY=1\n"), /line 3: the variable name "BAD KEY" contains a space/);
    assert.match(
      messageFor("A=${\n"),
      /line 1: A: "\$\{" is not a valid reference[\s\S]*fix: +write a literal \$ as \$\$/,
    );
  });

  test("a directory or an unreadable file is one message with the fix, never an unexpected error", () => {
    const directory = join(dir, "as-directory.env");
    mkdirSync(directory);
    const message = formatUserError(
      toUserError(captured(() => loadConfig({ WALLPAPERDB_ENV_FILE: directory }))),
    );
    assert.match(message, /^error: \S+as-directory\.env is a directory, not an env file/);
    assert.match(message, /fix: +move it away/);
    if (process.getuid?.() !== 0) {
      const locked = envFile("A=1\n");
      chmodSync(locked, 0o000);
      assert.match(
        formatUserError(toUserError(captured(() => loadConfig({ WALLPAPERDB_ENV_FILE: locked })))),
        /permission denied[\s\S]*fix: +make it readable for your user: chmod u\+r/,
      );
    }
  });

  test("doctor warns about a variable set twice, naming both lines and the one that wins", () => {
    const reading = readEnvFile(envFile("POSTGRES_PORT=5433\nNATS_PORT=4223\nPOSTGRES_PORT=5434\n"), {});
    assert.equal(reading.values.POSTGRES_PORT, "5434");
    const [duplicate, ...rest] = envFileFindings(reading);
    assert.equal(rest.length, 0);
    assert.equal(duplicate?.code, "ENV_DUPLICATE_KEY");
    assert.equal(duplicate?.status, "warn");
    assert.match(duplicate?.title ?? "", /POSTGRES_PORT is set on lines 1 and 3 of \S+: line 3 wins/);
  });

  test("doctor blocks the start on a value Compose would misread", () => {
    const findings = envFileFindings(readEnvFile(envFile("NATS_PASSWORD=s3$cret\n"), {}));
    assert.deepEqual(
      findings.map((f) => [f.code, f.status]),
      [["ENV_FILE_UNUSABLE", "fail"]],
    );
  });
});

function captured(run: () => unknown): unknown {
  try {
    run();
  } catch (error) {
    return error;
  }
  return assert.fail("expected an error");
}
