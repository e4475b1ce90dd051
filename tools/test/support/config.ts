import { type Config, parseConfig } from "../../src/config/env.ts";

/** A Config for tests: the given variables over a clean environment (nothing from the real .env). */
export function testConfig(env: Record<string, string | undefined>): Config {
  return parseConfig(env);
}
