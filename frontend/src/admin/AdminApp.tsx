// The instructors' side (lazy-loaded): password login, workshops, cards, projector
// scoreboard, group detail. Laid out for a laptop; the scoreboard for a projector.
import { lazy, useCallback, useEffect, useState, type FormEvent } from "react";
import { errorCodeOf } from "../lib/graphql";
import { LangToggle, useLang } from "../lib/i18n";
import { Link, type Route } from "../lib/router";
import { Spinner } from "../lib/ui";
import { AdminError } from "./AdminError";
import { at, AT } from "./adminText";
import { adminLogin, listWorkshops } from "./adminApi";
import { GroupDetailPage } from "./GroupDetailPage";
import { ScoreboardPage } from "./ScoreboardPage";
import { WorkshopList } from "./WorkshopList";
import { WorkshopPage } from "./WorkshopPage";

const CardsPage = lazy(() => import("./CardsPage"));

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
      <div className="admin-login-head"><h1><AT k="adminTitle" /></h1><LangToggle /></div>
      <label>
        <AT k="password" />
        <input type="password" autoComplete="current-password" value={password} autoFocus
               onChange={(e) => setPassword(e.target.value)} data-testid="admin-password" />
      </label>
      {wrong && <p className="banner banner-error" role="alert" data-testid="wrong-password"><AT k="wrongPassword" /></p>}
      <AdminError error={error} />
      <button type="submit" className="big-button" data-testid="admin-login-button"><AT k="logIn" /></button>
    </form>
  );
}

export default function AdminApp({ route }: { route: Route }) {
  const [auth, setAuth] = useState<AuthState>("checking");
  const lang = useLang();
  const signedIn = useCallback(() => setAuth("in"), []);
  const signedOut = useCallback(() => setAuth("out"), []);

  useEffect(() => {
    // The session cookie is the only truth: the listing answers whether it is an admin's.
    listWorkshops().then(() => setAuth("in"), signedOut);
  }, [signedOut]);
  useEffect(() => {
    document.title = at("adminTitle", lang);
  }, [lang]);

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
        <Link to="/admin" className="admin-brand">🧪 <AT k="adminTitle" /></Link>
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
