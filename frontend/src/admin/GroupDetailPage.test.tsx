import { act } from "react";
import { createRoot } from "react-dom/client";
import { afterEach, describe, expect, it } from "vitest";
import { rememberClasses } from "./adminApi";
import { ConfusionMatrix } from "./GroupDetailPage";

(globalThis as { IS_REACT_ACT_ENVIRONMENT?: boolean }).IS_REACT_ACT_ENVIRONMENT = true;

let container: HTMLDivElement;
afterEach(() => container?.remove());

function render(node: React.ReactNode) {
  container = document.createElement("div");
  document.body.append(container);
  act(() => createRoot(container).render(node));
  return container;
}

describe("ConfusionMatrix", () => {
  rememberClasses([{ id: "c1", name: "🍎 りんご" }, { id: "c2", name: "✏️ えんぴつ" }]);
  const run = {
    id: "r1", status: "SUCCEEDED" as const, mode: "QUICK" as const, testAccuracy: 0.75,
    confusingPhotos: null, classConfidence: null,
    labels: ["c1", "c2"],
    confusion: [[2, 1], [0, 1]],
    misclassified: [{ photoId: "p9", label: "c1", predicted: "c2", url: "/media/photos/p9" }],
  };

  it("shows counts with class names and opens the misclassified photos of a wrong cell", () => {
    const root = render(<ConfusionMatrix run={run} />);
    const rows = [...root.querySelectorAll("tbody tr")].map((tr) => [...tr.querySelectorAll("td")].map((td) => td.textContent));
    expect(rows).toEqual([["2", "1"], ["0", "1"]]);
    expect(root.querySelector("thead")!.textContent).toContain("りんご");
    // Only wrong, non-empty cells are buttons.
    const buttons = root.querySelectorAll("td button");
    expect(buttons).toHaveLength(1);
    expect(root.querySelector('[data-testid="misclassified"]')).toBeNull();
    act(() => (buttons[0] as HTMLButtonElement).click());
    const panel = root.querySelector('[data-testid="misclassified"]')!;
    expect(panel.textContent).toContain("りんご → ✏️ えんぴつ");
    expect([...panel.querySelectorAll("img")].map((img) => img.getAttribute("src"))).toEqual(["/media/photos/p9"]);
  });

  it("says so when a run has no test results", () => {
    const root = render(<ConfusionMatrix run={{ ...run, labels: null, confusion: null }} />);
    expect(root.textContent).toContain("No test results");
  });
});
