import { useEffect, useRef } from "react";

function hidden(): boolean {
  return typeof document !== "undefined" && document.visibilityState === "hidden";
}

/** Call `tick` now and then every `intervalMs` while `active`; stops on unmount. While the
 * page is hidden (the iPad asleep, another app or tab in front) it does not poll at all, and
 * it ticks at once when the page is shown again: a room of sleeping iPads sends nothing, and
 * what they would have polled for is fetched the moment a child looks. */
export function usePolling(tick: () => Promise<unknown> | void, intervalMs: number, active = true): void {
  const latest = useRef(tick);
  latest.current = tick;
  useEffect(() => {
    if (!active) return;
    let cancelled = false;
    let running = false;
    let timer: ReturnType<typeof setTimeout> | undefined;
    const run = async () => {
      timer = undefined;
      if (hidden()) return; // resumed by the visibilitychange listener below
      running = true;
      try {
        await latest.current();
      } finally {
        running = false;
        if (!cancelled && !hidden()) timer = setTimeout(run, intervalMs);
      }
    };
    const onVisibility = () => {
      if (cancelled || hidden() || running) return;
      clearTimeout(timer);
      void run();
    };
    document.addEventListener("visibilitychange", onVisibility);
    void run();
    return () => {
      cancelled = true;
      clearTimeout(timer);
      document.removeEventListener("visibilitychange", onVisibility);
    };
  }, [intervalMs, active]);
}
