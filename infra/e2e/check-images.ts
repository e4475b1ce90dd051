// Image-pin check: every image:tag of infra/docker-compose.yml and of the dev container (its workspace image)
// must still exist in its registry for linux/amd64 and linux/arm64 (upstream images do disappear: MinIO's
// Docker Hub repositories were deleted), and every dev container feature must still be published.
// Uses the registry HTTP API v2 with anonymous tokens, so it needs no Docker engine.
//   npm run check-images -w infra [-- --required] [-- --compose-file path] [-- --devcontainer-dir path]
// Where no registry can be reached it prints one line and exits 0 (skipped); --required or
// CHECK_IMAGES_REQUIRED=1 (CI) turns that into a failure.
import { existsSync, readFileSync } from "node:fs";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { parseArgs } from "node:util";
import { readEnvFile } from "../../tools/src/config/env.ts";
import { devcontainerPins, type Pin } from "./images/devcontainer.ts";
import { interpolate, parseImageRef, pinProblem } from "./images/refs.ts";
import { checkArtifact, checkImage } from "./images/registry.ts";
import { type CheckedImage, verdict } from "./images/verdict.ts";
import { composeImages } from "./lib/compose.ts";

const repoRoot = resolve(dirname(fileURLToPath(import.meta.url)), "../..");

async function main(): Promise<number> {
  const { values } = parseArgs({
    options: {
      required: { type: "boolean", default: false },
      "compose-file": { type: "string", default: join(repoRoot, "infra/docker-compose.yml") },
      "devcontainer-dir": { type: "string", default: join(repoRoot, ".devcontainer") },
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
  const stack = composeImages(readFileSync(composeFile, "utf8")).map(
    ({ service, image }): Pin => ({ service, image, kind: "image" }),
  );
  if (stack.length === 0) {
    process.stderr.write(`check-images: FAILED: no service in ${composeFile} names an image\n`);
    return 1;
  }
  const readIfPresent = (file: string) => (existsSync(file) ? readFileSync(file, "utf8") : undefined);
  const devcontainer = devcontainerPins(
    readIfPresent(join(values["devcontainer-dir"], "devcontainer.json")),
    readIfPresent(join(values["devcontainer-dir"], "docker-compose.workspace.yml")),
  );
  const images = [...stack, ...devcontainer].map((pin) => ({
    ...pin,
    image: interpolate(pin.image, defaults),
  }));
  const kindOf = new Map(images.map((i) => [i.image, i.kind]));
  // One request chain per distinct image; services sharing an image share the answer.
  const unique = [...kindOf.keys()];
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
        const check = await (kindOf.get(image) === "feature" ? checkArtifact : checkImage)(ref);
        return [image, { image, status: check.status, detail: check.detail }];
      }),
    ),
  );
  const results: CheckedImage[] = images.map(({ service, image }) => ({
    service,
    ...(answers.get(image) as Omit<CheckedImage, "service">),
  }));
  const mark = { ok: "✓", unreachable: "?" } as Record<string, string>;
  const [serviceWidth, imageWidth] = [(r: CheckedImage) => r.service, (r: CheckedImage) => r.image].map(
    (field) => Math.max(...results.map((r) => field(r).length)),
  );
  for (const r of results) {
    process.stdout.write(
      `  ${mark[r.status] ?? "✗"} ${r.service.padEnd(serviceWidth ?? 0)} ${r.image.padEnd(imageWidth ?? 0)} ${r.detail}\n`,
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
