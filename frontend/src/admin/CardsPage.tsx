// Print-ready QR login cards, one per group (lazy: only instructors load the QR encoder).
import { Link } from "../lib/router";
import { ErrorBanner, Spinner } from "../lib/ui";
import { QrCode } from "./QrCode";
import { useAdminWorkshop } from "./useAdminWorkshop";

export default function CardsPage({ workshopId, onError }: { workshopId: string; onError: (err: unknown) => void }) {
  const { workshop, error } = useAdminWorkshop(workshopId, onError);
  if (error) return <div className="admin"><ErrorBanner error={error} /></div>;
  if (!workshop) return <div className="center-screen"><Spinner /></div>;
  const groups = workshop.groups ?? [];
  const missing = groups.filter((g) => !g.loginUrl).length;
  return (
    <div className="cards-page" data-testid="cards-page">
      <div className="no-print cards-toolbar">
        <Link to={`/admin/workshops/${workshop.id}`} className="small-button">← {workshop.title}</Link>
        <button type="button" className="small-button" onClick={() => window.print()}>🖨️ Print</button>
        {missing > 0 && <span className="banner banner-error">{missing} group(s) have no login URL from the server.</span>}
      </div>
      <div className="cards-grid">
        {groups.filter((g) => g.loginUrl).map((group) => (
          <article key={group.id} className="login-card" data-testid="login-card" data-group-id={group.id}
                   style={group.color ? { borderColor: group.color } : undefined}>
            <header className="login-card-head">
              <span className="login-card-emoji" aria-hidden="true">{group.emoji}</span>
              <span className="login-card-name">{group.name}</span>
            </header>
            <QrCode text={group.loginUrl!} label={`${group.name}: QR`} />
            <p className="login-card-hint">iPadの カメラで よみとってね</p>
            <p className="login-card-title">{workshop.title}</p>
          </article>
        ))}
      </div>
    </div>
  );
}
