// "Where the AI looked" drawn over a photo: the Try screen's result and the Train screen's
// confusing photos share it (the drawing itself: lib/heatmap.ts).
import { useEffect, useRef, useState } from "react";
import { drawHeatmap, type Heatmap, type HeatmapMode } from "./heatmap";

/** The heatmap over the photo (same box: the map covers the whole photo), as a soft colour
 * map or as a spotlight that dims what the AI ignored. */
export function HeatmapOverlay({ heatmap, className, mode = "color" }: {
  heatmap: Heatmap; className?: string; mode?: HeatmapMode;
}) {
  const canvas = useRef<HTMLCanvasElement>(null);
  const [drawn, setDrawn] = useState(false);
  useEffect(() => {
    setDrawn(canvas.current ? drawHeatmap(canvas.current, heatmap, mode) : false);
  }, [heatmap, mode]);
  return <canvas ref={canvas} className={className ? `heatmap-overlay ${className}` : "heatmap-overlay"}
                 data-testid="heatmap-overlay" data-drawn={drawn} data-mode={mode} aria-hidden="true" />;
}
