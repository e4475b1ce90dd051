import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { derivedProjectName, foreignCheckout } from "../../src/docker/checkout.ts";

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
