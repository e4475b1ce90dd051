// biome-ignore-all lint/suspicious/noTemplateCurlyInString: .env text, where ${VAR} is Compose syntax
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, describe, test } from "node:test";
import { dotenvValues, misreadValues, parseDotenv } from "../../src/config/dotenv.mjs";
import { repoRoot } from "../../src/config/env.ts";
import { findOnPath, locate } from "../support/binaries.ts";

/**
 * The real validator: Docker Compose v2 reads each .env below, and tools/src/config/dotenv.mjs must read
 * the same values (or refuse where Compose refuses). `docker-compose config` needs no engine.
 */
const compose = locate(
  findOnPath("docker-compose"),
  "docker-compose (Compose v2)",
  "Docker Compose v2 (Debian: the docker-compose package; or the docker-compose-plugin)",
);
const skip = "skip" in compose ? compose.skip : false;
const shell = { PATH: process.env.PATH ?? "", HOME: tmpdir(), FROM_SHELL: "shell-value", EMPTY_IN_SHELL: "" };

const CASES: Record<string, string> = {
  "CRLF line endings": "A=1\r\nB='two'\r\nC=\"three\"\r\nD=x # c\r\n",
  "a $ followed by a name": 'P=pa$word1\nQ="pa$word1"\n',
  "$$ and single quotes": "P=pa$$word1\nQ='pa$word1'\nR=\"pa\\$word1\"\nS='$$'\n",
  "references to lines above and to the shell": "A=x\nB=${A}-$A\nC=${FROM_SHELL}\nA=y\nD=$A\n",
  "every modifier":
    "A=${FROM_SHELL:-d}\nB=${EMPTY_IN_SHELL:-d}\nC=${EMPTY_IN_SHELL-d}\nD=${FROM_SHELL:+p}\nE=${NOPE+p}\nF=${NOPE:-${FROM_SHELL}}\nG=${X:-a}${Y:-b}\nH=${A:-{x}}\n",
  "the shell beats an earlier line": "FROM_SHELL=file-value\nA=${FROM_SHELL}\n",
  "a $ that starts no name": "A=$1x\nB=$ x\nC=a$\n",
  "escapes in double quotes": 'A="t\\tn\\nq\\"b\\\\o\\0101"\nB="\\c\\x"\n',
  "comments and export": "# c\nexport A=1\nexport  B = 2 \nC=x#y\nD= # z\nE='q' # c\n",
  "multi-line values": "A=\"two\nlines\"\nB='a\nb'\n",
  "inherited and YAML-style keys": "FROM_SHELL\nNOT_SET_ANYWHERE\nA: colon\nB.c-d=dots\n",
  "a byte order mark": "\uFEFFA=bom\n",
  "duplicates: the last line wins": "A=1\nA=2\n",
  "after a closing quote": 'A="x"y=2\n',
};
const REFUSED: Record<string, string> = {
  "an unclosed quote": 'A=1\nB="open\n',
  "a space in a name": "A B=1\n",
  "a character no name has": "A!=1\n",
  "an unclosed ${": "A=${\n",
  "a required variable": "A=${NOPE:?needed}\n",
};

describe("the .env reader against Docker Compose itself", { skip }, () => {
  const dir = mkdtempSync(join(tmpdir(), "wpdb-dotenv-oracle-"));
  after(() => rmSync(dir, { recursive: true, force: true }));

  /** What Compose reads from `text`: its values, or its error. */
  function composeReads(name: string, text: string): { values?: Record<string, string>; error?: string } {
    const env = join(dir, `${name.replace(/\W+/g, "-")}.env`);
    const file = join(dir, `${name.replace(/\W+/g, "-")}.yml`);
    writeFileSync(env, text);
    // env_file goes through the same dotenv parser as --env-file, and `config` lists every key it read.
    writeFileSync(file, `services:\n  probe:\n    image: scratch\n    env_file: [${JSON.stringify(env)}]\n`);
    const run = spawnSync("docker-compose", ["-f", file, "config", "--format", "json"], {
      env: shell,
      encoding: "utf8",
    });
    if (run.status !== 0) return { error: run.stderr.trim() };
    const environment = (JSON.parse(run.stdout) as { services: { probe: { environment?: object } } }).services
      .probe.environment;
    // `config` writes a literal $ as $$ so that its output can be read back.
    const values = Object.entries(environment ?? {})
      .filter(([key]) => key !== "") // a last line without "=" becomes an empty-named key nobody can use
      .map(([key, value]) => [key, String(value).replaceAll("$$", "$")]);
    return { values: Object.fromEntries(values) };
  }

  for (const [name, text] of Object.entries(CASES)) {
    test(`same values as Compose: ${name}`, () => {
      const ours = parseDotenv(text, (key) => shell[key as keyof typeof shell]);
      const theirs = composeReads(name, text);
      assert.equal(theirs.error, undefined, `Compose refused it: ${theirs.error}`);
      assert.equal(ours.error, undefined, JSON.stringify(ours.error));
      const sorted = (values: Record<string, string>) => Object.fromEntries(Object.entries(values).sort());
      assert.deepEqual(sorted(dotenvValues(ours.entries)), sorted(theirs.values ?? {}));
    });
  }

  for (const [name, text] of Object.entries(REFUSED)) {
    test(`refused like Compose refuses it: ${name}`, () => {
      assert.notEqual(composeReads(name, text).error, undefined, "Compose accepted it");
      assert.notEqual(parseDotenv(text).error, undefined, "the reader accepted it");
    });
  }

  test("`pa$word1` reaches Postgres as `pa` through the real Compose file, and the reader flags that line", () => {
    const env = join(dir, "password.env");
    writeFileSync(env, "POSTGRES_USER=wallpaperdb\nPOSTGRES_PASSWORD=pa$word1\n");
    const config = spawnSync(
      "docker-compose",
      [
        "--env-file",
        env,
        "-f",
        join(repoRoot, "infra/docker-compose.yml"),
        "--profile",
        "core",
        "config",
        "--format",
        "json",
      ],
      { env: shell, encoding: "utf8" },
    );
    assert.equal(config.status, 0, config.stderr);
    const postgres = (
      JSON.parse(config.stdout) as { services: Record<string, { environment: Record<string, string> }> }
    ).services.postgres;
    assert.equal(postgres?.environment.POSTGRES_PASSWORD, "pa");
    assert.match(config.stderr, /word1\W+ variable is not set/);
    const parsed = parseDotenv("POSTGRES_USER=wallpaperdb\nPOSTGRES_PASSWORD=pa$word1\n", () => undefined);
    assert.deepEqual(
      misreadValues(parsed.entries).map((m) => [m.key, m.line, m.references]),
      [["POSTGRES_PASSWORD", 2, ["word1"]]],
    );
  });
});
