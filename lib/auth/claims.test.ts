import { describe, expect, it } from "vitest";
import { groupsFromClaim, lacksGroups, viewerFromClaims } from "./claims";

describe("viewerFromClaims", () => {
  it("names the user by preferred_username, else email, else sub", () => {
    expect(viewerFromClaims({ sub: "1", preferred_username: "alice", email: "a@x" }, undefined, "groups").user).toBe("alice");
    expect(viewerFromClaims({ sub: "1", email: "a@x" }, undefined, "groups").user).toBe("a@x");
    expect(viewerFromClaims({ sub: "1", preferred_username: "  " }, undefined, "groups").user).toBe("1");
    expect(viewerFromClaims({ sub: "1" }, { sub: "1", preferred_username: "alice" }, "groups").user).toBe("alice");
    expect(() => viewerFromClaims({}, undefined, "groups")).toThrow("no subject");
  });

  it("takes groups from the configured claim, the ID token's first, else userinfo's", () => {
    expect(viewerFromClaims({ sub: "1", groups: ["dev", "dev", "ops"] }, { groups: ["other"] }, "groups")).toEqual({
      user: "1",
      groups: ["dev", "ops"],
      via: "oidc",
    });
    expect(viewerFromClaims({ sub: "1" }, { roles: ["ops"] }, "roles").groups).toEqual(["ops"]);
    expect(viewerFromClaims({ sub: "1", groups: ["dev"] }, undefined, "roles").groups).toEqual([]);
    // An empty list in the ID token is an answer: userinfo is not asked to overrule it.
    expect(viewerFromClaims({ sub: "1", groups: [] }, { groups: ["ops"] }, "groups").groups).toEqual([]);
  });

  it("reads a claim given as one string, and ignores what is not a name", () => {
    expect(groupsFromClaim("platform admins")).toEqual(["platform admins"]);
    expect(groupsFromClaim(["a", 1, null, "", "b"])).toEqual(["a", "b"]);
    expect(groupsFromClaim(42)).toBeUndefined();
    expect(lacksGroups({ sub: "1" }, "groups")).toBe(true);
    expect(lacksGroups({ sub: "1", groups: "dev" }, "groups")).toBe(false);
  });
});
