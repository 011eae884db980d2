import { errorCodeOf } from "../lib/graphql";
import { ErrorBanner } from "../lib/ui";

/** Admin errors; a feature the BFF does not offer yet is said plainly, not as a failure. */
export function AdminError({ error, onClose }: { error: unknown; onClose?: () => void }) {
  if (!error) return null;
  if (errorCodeOf(error) === "GRAPHQL_VALIDATION_FAILED") {
    return <p className="muted" data-testid="not-supported">Not available on this server yet (the BFF does not offer it).</p>;
  }
  return <ErrorBanner error={error} onClose={onClose} />;
}
