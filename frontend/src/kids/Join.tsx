// /join#<token>: what the QR card opens (the fragment is never sent to a server, so the
// token reaches no log; /join/<token> from older cards works too). Log in, then drop the
// token from the address bar (and from history) before anything else can read or share it.
import { useEffect, useState } from "react";
import { login } from "../lib/api";
import { errorCodeOf } from "../lib/graphql";
import { LangToggle, T } from "../lib/i18n";
import { navigate } from "../lib/router";
import { ErrorBanner, Spinner } from "../lib/ui";

export function ScanCardScreen() {
  return (
    <div className="center-screen" data-testid="scan-card">
      <div className="corner"><LangToggle /></div>
      <div className="big-emoji" aria-hidden="true">📱➡️🔳</div>
      <h1><T k="scanCardTitle" /></h1>
      <p className="lead"><T k="scanCardBody" /></p>
    </div>
  );
}

export function Join({ token, onJoined }: { token: string; onJoined: () => void }) {
  const [failure, setFailure] = useState<unknown>(null);
  useEffect(() => {
    let cancelled = false;
    // The token must not stay in the address bar, whatever happens next.
    // (The app keeps showing this screen until onJoined, whatever the path says.)
    window.history.replaceState(null, "", "/");
    login(token).then((group) => {
      if (cancelled) return;
      if (group) {
        onJoined();
        navigate("/", { replace: true });
      } else {
        setFailure(new Error("no group"));
      }
    }, (error) => {
      if (!cancelled) setFailure(error);
    });
    return () => {
      cancelled = true;
    };
  }, [token, onJoined]);

  if (!failure) {
    return <div className="center-screen"><Spinner /><p><T k="joining" /></p></div>;
  }
  const code = errorCodeOf(failure);
  const cardProblem = code === "UNAUTHENTICATED" || code === "NOT_FOUND" || code === "BAD_USER_INPUT" ||
    code === "FORBIDDEN" || code === "INTERNAL";
  return (
    <div className="center-screen" data-testid="join-failed">
      <div className="corner"><LangToggle /></div>
      <div className="big-emoji" aria-hidden="true">🙋</div>
      {cardProblem ? (
        <>
          <h1><T k="badCardTitle" /></h1>
          <p className="lead"><T k="badCardBody" /></p>
        </>
      ) : (
        <ErrorBanner error={failure} />
      )}
    </div>
  );
}
