// Instructor accounts: the org admins' instructors page (invite, unlock), one's own account
// (password change, sessions), the invitation link's page, and a workshop's owners.
import { useCallback, useEffect, useState, type FormEvent } from "react";
import { errorCodeOf } from "../lib/graphql";
import { useLang } from "../lib/i18n";
import { navigate } from "../lib/router";
import { Spinner } from "../lib/ui";
import { AdminError } from "./AdminError";
import { AT } from "./adminText";
import {
  acceptInvite, addWorkshopOwner, changePassword, endAdminSession, inviteInstructor, listAdminSessions,
  listInstructors, resetInstructorPassword, unlockInstructor, workshopOwners, type AdminSessionInfo, type InstructorInfo, type SignedInInstructor,
} from "./adminApi";

type OnError = (err: unknown) => void;

export function InstructorsPage({ onError }: { onError: OnError }) {
  const [instructors, setInstructors] = useState<InstructorInfo[] | null>(null);
  const [error, setError] = useState<unknown>(null);
  const [email, setEmail] = useState("");
  const [orgAdmin, setOrgAdmin] = useState(false);
  const [link, setLink] = useState("");
  const reload = useCallback(() => {
    listInstructors().then(setInstructors, (err) => { setError(err); onError(err); });
  }, [onError]);
  useEffect(reload, [reload]);

  const invite = async (event: FormEvent) => {
    event.preventDefault();
    setError(null);
    setLink("");
    try {
      setLink(await inviteInstructor(email.trim(), orgAdmin));
      setEmail("");
      setOrgAdmin(false);
    } catch (err) {
      setError(err);
      onError(err);
    }
  };
  const reset = async (who: string) => {
    setError(null);
    setLink("");
    try {
      setLink(await resetInstructorPassword(who));
      reload();
    } catch (err) {
      setError(err);
      onError(err);
    }
  };
  const unlock = async (who: string) => {
    setError(null);
    try {
      await unlockInstructor(who);
      reload();
    } catch (err) {
      setError(err);
      onError(err);
    }
  };

  return (
    <section className="card" data-testid="instructors-page">
      <h2><AT k="instructors" /></h2>
      <AdminError error={error} onClose={() => setError(null)} />
      {instructors === null ? <Spinner /> : (
        <ul className="instructor-list">
          {instructors.map((i) => (
            <li key={i.id} data-testid="instructor-row">
              <span>{i.email}</span>
              {i.isOrgAdmin && <span className="chip"> <AT k="orgAdmin" /></span>}
              {!i.hasPassword && <small> (<AT k="firstAdminNote" />)</small>}
              {i.hasPassword && (
                <button type="button" onClick={() => reset(i.email)} data-testid="reset-link"><AT k="resetLink" /></button>
              )}
              {i.locked && (
                <>
                  <span className="chip chip-warn"> <AT k="locked" /></span>
                  <button type="button" onClick={() => unlock(i.email)} data-testid="unlock"><AT k="unlock" /></button>
                </>
              )}
            </li>
          ))}
        </ul>
      )}
      <form onSubmit={invite} className="invite-form">
        <h3><AT k="inviteTitle" /></h3>
        <label>
          <AT k="email" />
          <input type="email" required value={email} onChange={(e) => setEmail(e.target.value)} data-testid="invite-email" />
        </label>
        <label className="checkbox-label">
          <input type="checkbox" checked={orgAdmin} onChange={(e) => setOrgAdmin(e.target.checked)} />
          <AT k="inviteOrgAdmin" />
        </label>
        <button type="submit" data-testid="invite-button"><AT k="invite" /></button>
      </form>
      {link && (
        <p className="banner" data-testid="invite-link">
          <AT k="oneTimeLink" /> <code>{link}</code>
        </p>
      )}
    </section>
  );
}

function formatTime(iso: string, lang: string): string {
  const date = new Date(iso);
  return Number.isNaN(date.getTime()) ? iso : date.toLocaleString(lang === "ja" ? "ja-JP" : "en-GB");
}

export function AccountPage({ me, onError }: { me: SignedInInstructor; onError: OnError }) {
  const lang = useLang();
  const [sessions, setSessions] = useState<AdminSessionInfo[] | null>(null);
  const [error, setError] = useState<unknown>(null);
  const [current, setCurrent] = useState("");
  const [next, setNext] = useState("");
  const [changed, setChanged] = useState(false);
  const [wrongCurrent, setWrongCurrent] = useState(false);
  const reload = useCallback(() => {
    listAdminSessions().then(setSessions, (err) => { setError(err); onError(err); });
  }, [onError]);
  useEffect(reload, [reload]);

  const submit = async (event: FormEvent) => {
    event.preventDefault();
    setError(null);
    setChanged(false);
    setWrongCurrent(false);
    try {
      await changePassword(current, next);
      setChanged(true);
      setCurrent("");
      setNext("");
      reload();
    } catch (err) {
      // Here UNAUTHENTICATED means the current password was wrong, not a lost session.
      if (errorCodeOf(err) === "UNAUTHENTICATED") setWrongCurrent(true);
      else setError(err);
    }
  };
  const end = async (id: string) => {
    setError(null);
    try {
      await endAdminSession(id);
      reload();
    } catch (err) {
      setError(err);
      onError(err);
    }
  };

  return (
    <>
      <section className="card" data-testid="account-page">
        <h2><AT k="changePassword" /></h2>
        <p><AT k="signedInAs" vars={{ email: me.email }} /></p>
        {!me.hasPassword ? <p data-testid="password-from-setting"><AT k="passwordFromSetting" /></p> : (
          <form onSubmit={submit} className="password-form">
            <label>
              <AT k="currentPassword" />
              <input type="password" autoComplete="current-password" required value={current}
                     onChange={(e) => setCurrent(e.target.value)} data-testid="current-password" />
            </label>
            <label>
              <AT k="newPassword" />
              <input type="password" autoComplete="new-password" required minLength={10} value={next}
                     onChange={(e) => setNext(e.target.value)} data-testid="new-password" />
            </label>
            <button type="submit" data-testid="change-password"><AT k="changePassword" /></button>
          </form>
        )}
        {wrongCurrent && <p className="banner banner-error" role="alert"><AT k="wrongCurrentPassword" /></p>}
        {changed && <p className="banner" role="status" data-testid="password-changed"><AT k="passwordChanged" /></p>}
        <AdminError error={error} onClose={() => setError(null)} />
      </section>
      <section className="card">
        <h2><AT k="sessions" /></h2>
        {sessions === null ? <Spinner /> : (
          <ul className="session-list" data-testid="sessions">
            {sessions.map((s) => (
              <li key={s.id} data-testid="session-row">
                <span>{s.userAgent || "?"}</span>{" "}
                <small><AT k="since" vars={{ time: formatTime(s.createdAt, lang) }} /></small>{" "}
                {s.current ? <strong><AT k="thisDevice" /></strong>
                  : <button type="button" onClick={() => end(s.id)} data-testid="end-session"><AT k="endSession" /></button>}
              </li>
            ))}
          </ul>
        )}
      </section>
    </>
  );
}

/** /admin/accept#<token>: the invitee (or an instructor with a reset link) sets a password. */
export function AcceptInvitePage() {
  // Read once, then dropped from the address bar and history before anything can share it.
  const [token] = useState(() => window.location.hash.replace(/^#/, ""));
  useEffect(() => {
    if (window.location.hash) window.history.replaceState(null, "", "/admin/accept");
  }, []);
  const [password, setPassword] = useState("");
  const [state, setState] = useState<"form" | "done" | "invalid">(token ? "form" : "invalid");
  const [error, setError] = useState<unknown>(null);
  const submit = async (event: FormEvent) => {
    event.preventDefault();
    setError(null);
    try {
      await acceptInvite(token, password);
      setState("done");
    } catch (err) {
      if (errorCodeOf(err) === "NOT_FOUND" || errorCodeOf(err) === "CONFLICT") setState("invalid");
      else setError(err);
    }
  };
  return (
    <div className="admin">
      <section className="admin-login card" data-testid="accept-invite">
        <h1><AT k="acceptTitle" /></h1>
        {state === "invalid" && <p className="banner banner-error" role="alert" data-testid="accept-invalid"><AT k="acceptInvalid" /></p>}
        {state === "done" && <p className="banner" role="status" data-testid="accept-done"><AT k="acceptDone" /></p>}
        {state === "form" && (
          <form onSubmit={submit}>
            <label>
              <AT k="newPassword" />
              <input type="password" autoComplete="new-password" required minLength={10} value={password}
                     onChange={(e) => setPassword(e.target.value)} data-testid="accept-password" />
            </label>
            <AdminError error={error} />
            <button type="submit" className="big-button" data-testid="accept-button"><AT k="acceptButton" /></button>
          </form>
        )}
        {state !== "form" && (
          <button type="button" className="big-button" onClick={() => navigate("/admin")}><AT k="goToLogin" /></button>
        )}
      </section>
    </div>
  );
}

/** A workshop's owners, and sharing it with another instructor (by their sign-in email). */
export function OwnersPanel({ workshopId, onError }: { workshopId: string; onError: OnError }) {
  const [owners, setOwners] = useState<string[] | null>(null);
  const [email, setEmail] = useState("");
  const [error, setError] = useState<unknown>(null);
  useEffect(() => {
    workshopOwners(workshopId).then(setOwners, (err) => { setError(err); onError(err); });
  }, [workshopId, onError]);
  const share = async (event: FormEvent) => {
    event.preventDefault();
    setError(null);
    try {
      setOwners(await addWorkshopOwner(workshopId, email.trim()));
      setEmail("");
    } catch (err) {
      setError(err);
      onError(err);
    }
  };
  return (
    <section className="card" data-testid="owners">
      <h2><AT k="owners" /></h2>
      {owners === null ? <Spinner /> : <p data-testid="owner-list">{owners.join(", ")}</p>}
      <form onSubmit={share} className="owner-form">
        <label>
          <AT k="ownerEmail" />
          <input type="email" required value={email} onChange={(e) => setEmail(e.target.value)} data-testid="owner-email" />
        </label>
        <button type="submit" data-testid="add-owner"><AT k="addOwner" /></button>
      </form>
      <AdminError error={error} onClose={() => setError(null)} />
    </section>
  );
}
