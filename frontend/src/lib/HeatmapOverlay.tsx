// "Where the AI looked" drawn over a photo: the Try screen's result and the Train screen's
// confusing photos share it (the drawing itself: lib/heatmap.ts).
import { useEffect, useRef, useState } from "react";
import { drawHeatmap, type Heatmap } from "./heatmap";

/** The heatmap as a soft colour map over the photo (same box: the map covers the whole photo). */
export function HeatmapOverlay({ heatmap, className }: { heatmap: Heatmap; className?: string }) {
  const canvas = useRef<HTMLCanvasElement>(null);
  const [drawn, setDrawn] = useState(false);
  useEffect(() => {
    setDrawn(canvas.current ? drawHeatmap(canvas.current, heatmap) : false);
  }, [heatmap]);
  return <canvas ref={canvas} className={className ? `heatmap-overlay ${className}` : "heatmap-overlay"}
                 data-testid="heatmap-overlay" data-drawn={drawn} aria-hidden="true" />;
}
