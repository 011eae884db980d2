// /join#<token>: what the QR card opens (the fragment is never sent to a server, so the
// token reaches no log; /join/<token> from older cards works too). Drop the token from the
// address bar (and from history) before anything else can read or share it, ask first if
// this device is already someone's (a group's or an instructor's), then log in.
import { useEffect, useState } from "react";
import { login } from "../lib/api";
import { graphql } from "../gql";
import { errorCodeOf, gql, type ResultOf } from "../lib/graphql";
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


/** The group id a card's token names (its first 16 bytes; the server checks the rest). */
export function tokenGroupId(token: string): string | null {
  try {
    const bytes = atob(token.replace(/-/g, "+").replace(/_/g, "/"));
    if (bytes.length < 16) return null;
    return Array.from(bytes.slice(0, 16), (c) => c.charCodeAt(0).toString(16).padStart(2, "0")).join("");
  } catch {
    return null;
  }
}

const JOIN_CHECK_DOC = graphql(`query JoinCheck { me { id name emoji } isAdmin }`);
/** Who this device is signed in as before the card's link is followed. */
type Current = ResultOf<typeof JOIN_CHECK_DOC>;

export function Join({ token, onJoined }: { token: string; onJoined: () => void }) {
  const [failure, setFailure] = useState<unknown>(null);
  // A device that already holds a session (a group's, or an instructor's) asks first: a card
  // scanned by mistake must not silently move an iPad to another group or sign a teacher out.
  const [current, setCurrent] = useState<Current | null>(null);
  const [confirmed, setConfirmed] = useState(false);
  useEffect(() => {
    // The token must not stay in the address bar, whatever happens next.
    // (The app keeps showing this screen until onJoined, whatever the path says.)
    window.history.replaceState(null, "", "/");
  }, []);
  useEffect(() => {
    let cancelled = false;
    gql(JOIN_CHECK_DOC).then((who) => {
      if (cancelled) return;
      // The same group's card again (a re-scan) needs no question.
      if (who.isAdmin || (who.me && who.me.id !== tokenGroupId(token))) setCurrent(who);
      else setConfirmed(true);
    }, () => {
      if (!cancelled) setConfirmed(true);  // cannot tell: the login itself will say what is wrong
    });
    return () => {
      cancelled = true;
    };
  }, [token]);
  useEffect(() => {
    if (!confirmed) return undefined;
    let cancelled = false;
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
  }, [token, onJoined, confirmed]);

  if (current && !confirmed) {
    const keep = () => {
      onJoined();
      navigate(current.isAdmin && !current.me ? "/admin" : "/", { replace: true });
    };
    return (
      <div className="center-screen" data-testid="join-confirm">
        <div className="corner"><LangToggle /></div>
        <div className="big-emoji" aria-hidden="true">{current.me?.emoji ?? "🧑‍🏫"}</div>
        <h1><T k="switchTitle" /></h1>
        <p className="lead">
          {current.me ? <T k="switchFromGroup" vars={{ name: current.me.name }} /> : <T k="switchFromTeacher" />}
        </p>
        <button type="button" className="big-button" onClick={keep} data-testid="join-keep"><T k="switchNo" /></button>
        <button type="button" className="big-button" onClick={() => setConfirmed(true)} data-testid="join-switch">
          <T k="switchYes" />
        </button>
      </div>
    );
  }
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
