import { act } from "react";
import { createRoot } from "react-dom/client";
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { usePolling } from "./usePolling";

(globalThis as { IS_REACT_ACT_ENVIRONMENT?: boolean }).IS_REACT_ACT_ENVIRONMENT = true;

let visibility: DocumentVisibilityState = "visible";
let container: HTMLDivElement;

function setVisibility(state: DocumentVisibilityState) {
  visibility = state;
  document.dispatchEvent(new Event("visibilitychange"));
}

function Poller({ tick }: { tick: () => void }) {
  usePolling(tick, 1000);
  return null;
}

beforeEach(() => {
  vi.useFakeTimers();
  visibility = "visible";
  vi.spyOn(document, "visibilityState", "get").mockImplementation(() => visibility);
});
afterEach(() => {
  container?.remove();
  vi.useRealTimers();
  vi.restoreAllMocks();
});

describe("usePolling", () => {
  it("polls while shown, sends nothing while hidden, and ticks at once when shown again", async () => {
    const tick = vi.fn();
    container = document.createElement("div");
    document.body.append(container);
    const root = createRoot(container);
    await act(async () => root.render(<Poller tick={tick} />));
    expect(tick).toHaveBeenCalledTimes(1);
    await act(async () => { await vi.advanceTimersByTimeAsync(3000); });
    expect(tick).toHaveBeenCalledTimes(4);

    await act(async () => setVisibility("hidden"));
    await act(async () => { await vi.advanceTimersByTimeAsync(60_000); });
    expect(tick).toHaveBeenCalledTimes(4); // the timer that was due finds the page hidden

    await act(async () => setVisibility("visible"));
    expect(tick).toHaveBeenCalledTimes(5);
    await act(async () => { await vi.advanceTimersByTimeAsync(1000); });
    expect(tick).toHaveBeenCalledTimes(6);
    await act(async () => root.unmount());
    await act(async () => { await vi.advanceTimersByTimeAsync(5000); });
    expect(tick).toHaveBeenCalledTimes(6);
  });
});
