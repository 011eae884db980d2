// Top-level routing: children's screens in the initial bundle, the instructors' admin
// (QR printing and charts included) loaded only when an /admin route is opened.
import { lazy, Suspense, useCallback, useState } from "react";
import { Join } from "./kids/Join";
import { KidsApp } from "./kids/KidsApp";
import { matchRoute, usePath } from "./lib/router";
import { Spinner } from "./lib/ui";

const AdminApp = lazy(() => import("./admin/AdminApp"));

function NotFound() {
  return (
    <div className="center-screen">
      <div className="big-emoji" aria-hidden="true">🧭</div>
      <h1>404</h1>
      <a className="big-button" href="/">🏠</a>
    </div>
  );
}

// The card's token rides in the fragment, which browsers never send: no server log sees it.
function hashToken(): string | null {
  const hash = window.location.hash.slice(1);
  if (!hash) return null;
  try {
    return decodeURIComponent(hash);
  } catch {
    return hash;
  }
}

export function App() {
  const route = matchRoute(usePath());
  // A /join#<token> page load (or /join/<token> from an older card) keeps the join screen
  // until login finishes, although the token has already been removed from the address bar.
  const [joinToken, setJoinToken] = useState(() => (route.name === "join" ? route.param || hashToken() : null));
  const joined = useCallback(() => setJoinToken(null), []);

  if (joinToken) return <Join token={joinToken} onJoined={joined} />;
  if (route.name.startsWith("admin")) {
    return (
      <Suspense fallback={<div className="center-screen"><Spinner /></div>}>
        <AdminApp route={route} />
      </Suspense>
    );
  }
  if (route.name === "notFound" || route.name === "join") return <NotFound />;
  return <KidsApp route={route} />;
}
