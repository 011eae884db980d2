// A QR code as an SVG of dark modules (no inline markup strings: the CSP stays strict).
import qrcode from "qrcode-generator";

export function qrPath(text: string): { size: number; path: string } {
  const qr = qrcode(0, "M");
  qr.addData(text, "Byte");
  qr.make();
  const count = qr.getModuleCount();
  let path = "";
  for (let row = 0; row < count; row += 1) {
    for (let col = 0; col < count; col += 1) {
      if (qr.isDark(row, col)) path += `M${col} ${row}h1v1h-1z`;
    }
  }
  return { size: count, path };
}

export function QrCode({ text, label }: { text: string; label?: string }) {
  const { size, path } = qrPath(text);
  const quiet = 4; // the quiet zone scanners need around the code
  const box = size + quiet * 2;
  return (
    <svg className="qr" viewBox={`${-quiet} ${-quiet} ${box} ${box}`} role="img" aria-label={label ?? text}
         data-testid="qr" data-text={text} shapeRendering="crispEdges">
      <rect x={-quiet} y={-quiet} width={box} height={box} fill="#fff" />
      <path d={path} fill="#000" />
    </svg>
  );
}
