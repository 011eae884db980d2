// The instructors' side (lazy-loaded): sign-in (email + password; no email: the first org
// admin), workshops, cards, projector scoreboard, group detail, instructors, own account.
// Laid out for a laptop; the scoreboard for a projector.
import { lazy, useCallback, useEffect, useState, type FormEvent } from "react";
import { errorCodeOf } from "../lib/graphql";
import { LangToggle, useLang } from "../lib/i18n";
import { Link, navigate, type Route } from "../lib/router";
import { Spinner } from "../lib/ui";
import { AdminError } from "./AdminError";
import { at, AT } from "./adminText";
import { AcceptInvitePage, AccountPage, InstructorsPage } from "./AccountPages";
import { adminLogin, logoutAdmin, whoAmI, type SignedInInstructor } from "./adminApi";
import { GroupDetailPage } from "./GroupDetailPage";
import { ProjectorTools } from "./ProjectorTools";
import { ScoreboardPage } from "./ScoreboardPage";
import { WorkshopList } from "./WorkshopList";
import { WorkshopPage } from "./WorkshopPage";

const CardsPage = lazy(() => import("./CardsPage"));

type AuthState = "checking" | "in" | "out";

function LoginForm({ onIn }: { onIn: () => void }) {
  const [email, setEmail] = useState("");
  const [password, setPassword] = useState("");
  const [error, setError] = useState<unknown>(null);
  const [wrong, setWrong] = useState(false);
  const [limited, setLimited] = useState(false);
  const submit = async (event: FormEvent) => {
    event.preventDefault();
    setError(null);
    setWrong(false);
    setLimited(false);
    try {
      if (await adminLogin(password, email)) onIn();
      else setWrong(true);
    } catch (err) {
      if (errorCodeOf(err) === "UNAUTHENTICATED" || errorCodeOf(err) === "FORBIDDEN") setWrong(true);
      else if (errorCodeOf(err) === "RATE_LIMITED") setLimited(true);
      else setError(err);
    }
  };
  return (
    <form className="admin-login card" onSubmit={submit} data-testid="admin-login">
      <div className="admin-login-head"><h1><AT k="adminTitle" /></h1><LangToggle /></div>
      <label>
        <AT k="email" />
        <input type="email" autoComplete="username" value={email} onChange={(e) => setEmail(e.target.value)}
               data-testid="admin-email" />
        <small className="hint"><AT k="emailHint" /></small>
      </label>
      <label>
        <AT k="password" />
        <input type="password" autoComplete="current-password" value={password} autoFocus
               onChange={(e) => setPassword(e.target.value)} data-testid="admin-password" />
      </label>
      {wrong && <p className="banner banner-error" role="alert" data-testid="wrong-password">
        <AT k={email.trim() ? "wrongEmailOrPassword" : "wrongPassword"} /></p>}
      {limited && <p className="banner banner-error" role="alert" data-testid="login-limited"><AT k="loginLocked" /></p>}
      <AdminError error={error} />
      <button type="submit" className="big-button" data-testid="admin-login-button"><AT k="logIn" /></button>
    </form>
  );
}

export default function AdminApp({ route }: { route: Route }) {
  const [auth, setAuth] = useState<AuthState>("checking");
  const [me, setMe] = useState<SignedInInstructor | null>(null);
  const lang = useLang();
  const signedOut = useCallback(() => setAuth("out"), []);
  const check = useCallback(() => {
    // The session cookie is the only truth: ask the server whose it is.
    whoAmI().then((who) => {
      setMe(who);
      setAuth(who ? "in" : "out");
    }, signedOut);
  }, [signedOut]);
  const signedIn = check;

  useEffect(check, [check]);
  const logOut = useCallback(() => {
    logoutAdmin().finally(() => {
      setMe(null);
      signedOut();
      navigate("/admin");
    });
  }, [signedOut]);
  useEffect(() => {
    document.title = at("adminTitle", lang);
  }, [lang]);

  /** Any admin call that says "not logged in" brings the login form back. */
  const onAuthError = useCallback((err: unknown) => {
    const code = errorCodeOf(err);
    if (code === "UNAUTHENTICATED" || code === "FORBIDDEN") signedOut();
  }, [signedOut]);

  // The invitation link's page works signed out (it is how an invitee first gets a password).
  if (route.name === "adminAccept") return <AcceptInvitePage />;
  if (auth === "checking") return <div className="center-screen"><Spinner /></div>;
  if (auth === "out") return <div className="admin"><LoginForm onIn={signedIn} /></div>;

  if (route.name === "adminScoreboard") return <ScoreboardPage workshopId={route.param} />;
  if (route.name === "adminProjector") return <ProjectorTools workshopId={route.param} />;
  if (route.name === "adminCards") return <CardsPage workshopId={route.param} onError={onAuthError} />;
  return (
    <div className="admin">
      <header className="admin-header">
        <Link to="/admin" className="admin-brand">🧪 <AT k="adminTitle" /></Link>
        <nav className="admin-account-nav" data-testid="admin-nav">
          {me?.isOrgAdmin && <Link to="/admin/instructors" data-testid="nav-instructors"><AT k="instructors" /></Link>}
          <Link to="/admin/account" data-testid="nav-account">{me?.email ?? ""}</Link>
          <button type="button" className="link-button" onClick={logOut} data-testid="admin-logout"><AT k="logOut" /></button>
        </nav>
        <LangToggle />
      </header>
      <main className="admin-main">
        {route.name === "adminWorkshop" ? <WorkshopPage workshopId={route.param} onError={onAuthError} />
          : route.name === "adminGroup" ? <GroupDetailPage groupId={route.param} onError={onAuthError} />
          : route.name === "adminInstructors" ? <InstructorsPage onError={onAuthError} />
          : route.name === "adminAccount" && me ? <AccountPage me={me} onError={onAuthError} />
          : <WorkshopList onError={onAuthError} />}
      </main>
    </div>
  );
}
