import { useEffect, useRef } from "react";

/** Call `tick` now and then every `intervalMs` while `active`; stops on unmount. */
export function usePolling(tick: () => Promise<unknown> | void, intervalMs: number, active = true): void {
  const latest = useRef(tick);
  latest.current = tick;
  useEffect(() => {
    if (!active) return;
    let cancelled = false;
    let timer: ReturnType<typeof setTimeout>;
    const run = async () => {
      try {
        await latest.current();
      } finally {
        if (!cancelled) timer = setTimeout(run, intervalMs);
      }
    };
    void run();
    return () => {
      cancelled = true;
      clearTimeout(timer);
    };
  }, [intervalMs, active]);
}
