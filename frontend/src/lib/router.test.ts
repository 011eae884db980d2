import { describe, expect, it } from "vitest";
import { matchRoute } from "./router";
import { classLabel } from "./classes";

describe("matchRoute", () => {
  it.each([
    ["/", "home", ""],
    ["/join/abc_DEF-1", "join", "abc_DEF-1"],
    ["/join", "join", ""],
    ["/class/3", "class", "3"],
    ["/train", "train", ""],
    ["/try", "try", ""],
    ["/ranking", "ranking", ""],
    ["/admin", "admin", ""],
    ["/admin/workshops/w1", "adminWorkshop", "w1"],
    ["/admin/workshops/w1/cards", "adminCards", "w1"],
    ["/admin/workshops/w1/scoreboard", "adminScoreboard", "w1"],
    ["/admin/workshops/w1/projector", "adminProjector", "w1"],
    ["/admin/groups/g1", "adminGroup", "g1"],
    ["/admin/instructors", "adminInstructors", ""],
    ["/admin/account", "adminAccount", ""],
    ["/admin/accept", "adminAccept", ""],
    ["/nope.js", "notFound", ""],
    ["/class/3/extra", "notFound", ""],
  ])("%s -> %s", (path, name, param) => {
    expect(matchRoute(path)).toEqual({ name, param });
  });
});

describe("classLabel", () => {
  it("uses the emoji field, or a leading emoji of the name, or a fallback", () => {
    expect(classLabel({ id: "1", name: "りんご", emoji: "🍎" }, 0)).toEqual({ emoji: "🍎", name: "りんご" });
    expect(classLabel({ id: "1", name: "✏️ えんぴつ" }, 0)).toEqual({ emoji: "✏️", name: "えんぴつ" });
    expect(classLabel({ id: "1", name: "cup" }, 1).name).toBe("cup");
  });
});
