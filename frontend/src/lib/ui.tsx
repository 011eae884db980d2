// Small shared pieces of UI.
import { useEffect, useState } from "react";
import { friendlyError } from "./errors";
import { errorCodeOf } from "./graphql";
import { Rubied, T, useLang } from "./i18n";

export function ErrorBanner({ error, onClose }: { error: unknown; onClose?: () => void }) {
  const lang = useLang();
  if (!error) return null;
  const code = errorCodeOf(error);
  return (
    <div className="banner banner-error" role="alert" data-code={code}>
      <span className="banner-icon" aria-hidden="true">😢</span>
      <span className="banner-text"><Rubied text={friendlyError(code, lang)} /></span>
      {onClose && <button type="button" className="banner-close" onClick={onClose}><T k="dismiss" /></button>}
    </div>
  );
}

export function ProgressBar({ value, label, animated = false }: { value: number; label?: string; animated?: boolean }) {
  const pct = Math.round(Math.max(0, Math.min(1, value)) * 100);
  return (
    <div className={`progress${animated ? " progress-animated" : ""}`} role="progressbar"
         aria-valuemin={0} aria-valuemax={100} aria-valuenow={pct} aria-label={label}>
      <div className="progress-fill" style={{ width: `${pct}%` }} />
    </div>
  );
}

/** An object URL for a blob, revoked when the component goes away. */
export function useObjectUrl(blob: Blob | null | undefined): string | undefined {
  const [url, setUrl] = useState<string>();
  useEffect(() => {
    if (!blob) {
      setUrl(undefined);
      return;
    }
    const next = URL.createObjectURL(blob);
    setUrl(next);
    return () => URL.revokeObjectURL(next);
  }, [blob]);
  return url;
}

export function Spinner() {
  return <div className="spinner" aria-hidden="true" />;
}
