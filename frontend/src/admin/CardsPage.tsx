// Print-ready QR login cards, one per group (lazy: only instructors load the QR encoder).
// The card's words follow the admin's language: printed in Japanese for a Japanese class.
import { useLang } from "../lib/i18n";
import { Link } from "../lib/router";
import { Spinner } from "../lib/ui";
import { AdminError } from "./AdminError";
import { at, AT } from "./adminText";
import { QrCode } from "./QrCode";
import { TakeHomeCards } from "./TakeHome";
import { useAdminWorkshop } from "./useAdminWorkshop";

export default function CardsPage({ workshopId, onError }: { workshopId: string; onError: (err: unknown) => void }) {
  const { workshop, error } = useAdminWorkshop(workshopId, onError);
  const lang = useLang();
  if (error) return <div className="admin"><AdminError error={error} /></div>;
  if (!workshop) return <div className="center-screen"><Spinner /></div>;
  const groups = workshop.groups ?? [];
  const missing = groups.filter((g) => !g.loginUrl).length;
  return (
    <main className="cards-page" data-testid="cards-page">
      <h1 className="visually-hidden">{workshop.title}: <AT k="qrCards" /></h1>
      <div className="no-print cards-toolbar">
        <Link to={`/admin/workshops/${workshop.id}`} className="small-button">← {workshop.title}</Link>
        <button type="button" className="small-button" onClick={() => window.print()}>🖨️ <AT k="print" /></button>
        {missing > 0 && <span className="banner banner-error"><AT k="noLoginUrl" vars={{ n: missing }} /></span>}
      </div>
      <div className="cards-grid">
        {groups.filter((g) => g.loginUrl).map((group) => (
          <article key={group.id} className="login-card" data-testid="login-card" data-group-id={group.id}
                   style={group.color ? { borderColor: group.color } : undefined}>
            <h2 className="login-card-head">
              {/* The number the instructors' table and projector use for this group. */}
              {group.number != null && <span className="login-card-number" data-testid="card-number">{group.number}</span>}
              <span className="login-card-emoji" aria-hidden="true">{group.emoji}</span>
              <span className="login-card-name">{group.name}</span>
            </h2>
            <QrCode text={group.loginUrl!} label={at("cardQr", lang, { name: group.name })} />
            <p className="login-card-hint"><AT k="cardHint" /></p>
            <p className="login-card-title">{workshop.title}</p>
          </article>
        ))}
      </div>
      <TakeHomeCards workshop={workshop} />
    </main>
  );
}
