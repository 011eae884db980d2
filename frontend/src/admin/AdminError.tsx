import { errorCodeOf } from "../lib/graphql";
import { useLang } from "../lib/i18n";
import { adminError } from "./adminText";

/** An error for instructors: what it means in their language, and for bad input the
 * server's own sentence (it names the field, e.g. an emoji that is not one). */
export function AdminError({ error, onClose }: { error: unknown; onClose?: () => void }) {
  const lang = useLang();
  if (!error) return null;
  const code = errorCodeOf(error);
  const detail = code === "BAD_USER_INPUT" && error instanceof Error ? error.message : "";
  return (
    <div className="banner banner-error" role="alert" data-code={code} data-testid="admin-error">
      <span className="banner-text">{adminError(code, lang)}{detail && <> ({detail})</>}</span>
      {onClose && <button type="button" className="banner-close" onClick={onClose} aria-label={lang === "ja" ? "閉じる" : "Close"}>✕</button>}
    </div>
  );
}
