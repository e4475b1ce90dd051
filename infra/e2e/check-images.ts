// Image-pin check: every image:tag of infra/docker-compose.yml must still exist in its registry for
// linux/amd64 and linux/arm64 (upstream images do disappear: MinIO's Docker Hub repositories were deleted).
// Uses the registry HTTP API v2 with anonymous tokens, so it needs no Docker engine.
//   npm run check-images -w infra [-- --required] [-- --compose-file path]
// Where no registry can be reached it prints one line and exits 0 (skipped); --required or
// CHECK_IMAGES_REQUIRED=1 (CI) turns that into a failure.
import { existsSync, readFileSync } from "node:fs";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { parseArgs } from "node:util";
import { readEnvFile } from "../../tools/src/config/env.ts";
import { interpolate, parseImageRef, pinProblem } from "./images/refs.ts";
import { checkImage } from "./images/registry.ts";
import { type CheckedImage, verdict } from "./images/verdict.ts";
import { composeImages } from "./lib/compose.ts";

const repoRoot = resolve(dirname(fileURLToPath(import.meta.url)), "../..");

async function main(): Promise<number> {
  const { values } = parseArgs({
    options: {
      required: { type: "boolean", default: false },
      "compose-file": { type: "string", default: join(repoRoot, "infra/docker-compose.yml") },
    },
  });
  const required = values.required || /^(1|true|yes)$/i.test(process.env.CHECK_IMAGES_REQUIRED ?? "");
  const composeFile = resolve(values["compose-file"]);
  if (!existsSync(composeFile)) {
    process.stderr.write(`check-images: FAILED: ${composeFile} not found; pass --compose-file <path>\n`);
    return 1;
  }
  // Interpolate with the committed defaults only: the check is about what the repository pins.
  const defaults = readEnvFile(join(repoRoot, ".env.example"), {}).values;
  const images = composeImages(readFileSync(composeFile, "utf8")).map(({ service, image }) => ({
    service,
    image: interpolate(image, defaults),
  }));
  if (images.length === 0) {
    process.stderr.write(`check-images: FAILED: no service in ${composeFile} names an image\n`);
    return 1;
  }
  // One request chain per distinct image; services sharing an image share the answer.
  const unique = [...new Set(images.map((i) => i.image))];
  const answers = new Map(
    await Promise.all(
      unique.map(async (image): Promise<[string, Omit<CheckedImage, "service">]> => {
        let ref: ReturnType<typeof parseImageRef>;
        try {
          ref = parseImageRef(image);
        } catch (error) {
          return [image, { image, status: "error", detail: (error as Error).message }];
        }
        const unpinned = pinProblem(ref);
        if (unpinned) return [image, { image, status: "unpinned", detail: unpinned }];
        const check = await checkImage(ref);
        return [image, { image, status: check.status, detail: check.detail }];
      }),
    ),
  );
  const results: CheckedImage[] = images.map(({ service, image }) => ({
    service,
    ...(answers.get(image) as Omit<CheckedImage, "service">),
  }));
  const mark = { ok: "✓", unreachable: "?" } as Record<string, string>;
  for (const r of results) {
    process.stdout.write(
      `  ${mark[r.status] ?? "✗"} ${r.service.padEnd(22)} ${r.image.padEnd(58)} ${r.detail}\n`,
    );
  }
  const outcome = verdict(results, required);
  process.stdout.write(`${outcome.line}\n`);
  return outcome.exitCode;
}

main().then(
  (code) => process.exit(code),
  (error: unknown) => {
    process.stderr.write(`check-images: FAILED: ${error instanceof Error ? error.message : String(error)}\n`);
    if (process.env.DEBUG === "1" && error instanceof Error) process.stderr.write(`${error.stack}\n`);
    process.exit(1);
  },
);
