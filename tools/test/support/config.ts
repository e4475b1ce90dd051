import { type Config, parseConfig } from "../../src/config/env.ts";

/**
 * A Config for tests: the given variables over a clean environment (nothing from the real .env), with a
 * Compose project of its own: commands ask the real engine (when one answers) who owns their project, and a
 * developer's stack, or the engine tier's, may run as the default "wallpaperdb" meanwhile.
 */
export function testConfig(env: Record<string, string | undefined>): Config {
  return parseConfig({ COMPOSE_PROJECT_NAME: `wpdb-test-${process.pid}`, ...env });
}
