import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { identityFindings } from "../../src/commands/doctor-rules.ts";
import { derivedProjectName, foreignCheckout, otherStacks } from "../../src/docker/checkout.ts";

const asIs = (path: string) => path;

describe("which checkout a project's containers belong to", () => {
  it("names the other checkout when a container was created from another infra/ folder", () => {
    assert.equal(foreignCheckout(["/a/repo/infra", "/b/clone/infra"], "/a/repo/infra", asIs), "/b/clone");
  });

  it("is this checkout's when every container came from here, also through a symlink, or has no label", () => {
    const links: Record<string, string> = { "/link/repo/infra": "/a/repo/infra" };
    assert.equal(
      foreignCheckout(["/a/repo/infra", ""], "/link/repo/infra", (p) => links[p] ?? p),
      undefined,
    );
    assert.equal(foreignCheckout([], "/a/repo/infra", asIs), undefined);
  });

  it("derives a valid Compose project name from the checkout's folder", () => {
    assert.equal(derivedProjectName("wallpaperdb", "/home/dev/My Clone.2"), "wallpaperdb-my-clone-2");
    assert.match(derivedProjectName("wallpaperdb", "/"), /^wallpaperdb-[a-z0-9_-]+$/);
  });
});

describe("doctor: this checkout's identity and the other stacks on the engine", () => {
  const services = ["postgres", "grafana"];
  const rows = [
    "wallpaperdb|/a/repo/infra|postgres",
    "wallpaperdb|/b/clone/infra|postgres",
    "wallpaperdb|/b/clone/infra|grafana",
    "someone-else|/c/app|web",
    "|/x|postgres",
  ];

  it("lists every other checkout's stack once, and not this checkout's own or unrelated projects", () => {
    assert.deepEqual(otherStacks(rows, "/a/repo/infra", services, asIs), [
      { project: "wallpaperdb", checkout: "/b/clone" },
    ]);
  });

  it("shows project, checkout and ports, and blocks a project name another checkout holds", () => {
    const identity = { project: "wallpaperdb", checkout: "/a/repo", ports: { POSTGRES_PORT: 5432 } };
    const others = otherStacks(rows, "/a/repo/infra", services, asIs);
    const findings = identityFindings(identity, others, "wallpaperdb-repo");
    assert.match(findings[0]?.title ?? "", /project wallpaperdb of checkout \/a\/repo; ports: postgres 5432/);
    const clash = findings.find((f) => f.code === "PROJECT_OF_ANOTHER_CHECKOUT");
    assert.equal(clash?.blocking, true);
    assert.match(clash?.fix ?? "", /COMPOSE_PROJECT_NAME=wallpaperdb-repo/);
    assert.match(
      findings.at(-1)?.title ?? "",
      /other stacks of this repository on this engine: wallpaperdb \(\/b\/clone\)/,
    );
    const alone = identityFindings({ ...identity, project: "wallpaperdb-repo" }, others, "x");
    assert.equal(
      alone.some((f) => f.blocking),
      false,
    );
  });
});
