// The instructors' side (lazy-loaded): password login, workshops, cards, projector
// scoreboard, group detail. Laid out for a laptop; the scoreboard for a projector.
import { lazy, useCallback, useEffect, useState, type FormEvent } from "react";
import { errorCodeOf } from "../lib/graphql";
import { LangToggle } from "../lib/i18n";
import { Link, type Route } from "../lib/router";
import { ErrorBanner, Spinner } from "../lib/ui";
import { adminLogin, listWorkshops } from "./adminApi";
import { GroupDetailPage } from "./GroupDetailPage";
import { ScoreboardPage } from "./ScoreboardPage";
import { WorkshopList } from "./WorkshopList";
import { WorkshopPage } from "./WorkshopPage";

const CardsPage = lazy(() => import("./CardsPage"));
const AUTH_KEY = "pictolab.admin.authed";

type AuthState = "checking" | "in" | "out";

function LoginForm({ onIn }: { onIn: () => void }) {
  const [password, setPassword] = useState("");
  const [error, setError] = useState<unknown>(null);
  const [wrong, setWrong] = useState(false);
  const submit = async (event: FormEvent) => {
    event.preventDefault();
    setError(null);
    setWrong(false);
    try {
      if (await adminLogin(password)) onIn();
      else setWrong(true);
    } catch (err) {
      if (errorCodeOf(err) === "UNAUTHENTICATED" || errorCodeOf(err) === "FORBIDDEN") setWrong(true);
      else setError(err);
    }
  };
  return (
    <form className="admin-login card" onSubmit={submit} data-testid="admin-login">
      <h1>PictoLab admin</h1>
      <label>
        Password / パスワード
        <input type="password" autoComplete="current-password" value={password} autoFocus
               onChange={(e) => setPassword(e.target.value)} data-testid="admin-password" />
      </label>
      {wrong && <p className="banner banner-error" role="alert">Wrong password. / パスワードが ちがいます。</p>}
      <ErrorBanner error={error} />
      <button type="submit" className="big-button">Log in</button>
    </form>
  );
}

export default function AdminApp({ route }: { route: Route }) {
  const [auth, setAuth] = useState<AuthState>("checking");
  const signedIn = useCallback(() => {
    sessionStorage.setItem(AUTH_KEY, "1");
    setAuth("in");
  }, []);
  const signedOut = useCallback(() => {
    sessionStorage.removeItem(AUTH_KEY);
    setAuth("out");
  }, []);

  useEffect(() => {
    listWorkshops().then(() => setAuth("in"), (err) => {
      const code = errorCodeOf(err);
      if (code === "UNAUTHENTICATED" || code === "FORBIDDEN") signedOut();
      // A server without the `workshops` list: trust the login this tab remembers.
      else setAuth(sessionStorage.getItem(AUTH_KEY) ? "in" : "out");
    });
  }, [signedOut]);

  /** Any admin call that says "not logged in" brings the login form back. */
  const onAuthError = useCallback((err: unknown) => {
    const code = errorCodeOf(err);
    if (code === "UNAUTHENTICATED" || code === "FORBIDDEN") signedOut();
  }, [signedOut]);

  if (auth === "checking") return <div className="center-screen"><Spinner /></div>;
  if (auth === "out") return <div className="admin"><LoginForm onIn={signedIn} /></div>;

  if (route.name === "adminScoreboard") return <ScoreboardPage workshopId={route.param} />;
  if (route.name === "adminCards") return <CardsPage workshopId={route.param} onError={onAuthError} />;
  return (
    <div className="admin">
      <header className="admin-header">
        <Link to="/admin" className="admin-brand">🧪 PictoLab admin</Link>
        <LangToggle />
      </header>
      <main className="admin-main">
        {route.name === "adminWorkshop" ? <WorkshopPage workshopId={route.param} onError={onAuthError} />
          : route.name === "adminGroup" ? <GroupDetailPage groupId={route.param} onError={onAuthError} />
          : <WorkshopList onError={onAuthError} />}
      </main>
    </div>
  );
}
