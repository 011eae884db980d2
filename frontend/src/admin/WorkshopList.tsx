// Workshops and the form that creates one (title, classes with emoji, number of groups).
import { useEffect, useState, type FormEvent } from "react";
import { GraphQLRequestError } from "../lib/graphql";
import { Link, navigate } from "../lib/router";
import { ErrorBanner, Spinner } from "../lib/ui";
import { createWorkshop, listWorkshops, type AdminWorkshop } from "./adminApi";

const EMOJI_CHOICES = ["🍎", "🍌", "🍊", "✏️", "📚", "✂️", "🧸", "🚗", "🐶", "🐱", "🌼", "⚽", "🥤", "👟", "🔑", "🖍️"];

interface ClassDraft { emoji: string; name: string }

function CreateWorkshopForm({ onError }: { onError: (err: unknown) => void }) {
  const [title, setTitle] = useState("");
  const [classes, setClasses] = useState<ClassDraft[]>([{ emoji: "🍎", name: "" }, { emoji: "✏️", name: "" }, { emoji: "🧸", name: "" }]);
  const [groups, setGroups] = useState(6);
  const [error, setError] = useState<unknown>(null);
  const [busy, setBusy] = useState(false);
  const update = (index: number, patch: Partial<ClassDraft>) =>
    setClasses((current) => current.map((c, i) => (i === index ? { ...c, ...patch } : c)));

  const submit = async (event: FormEvent) => {
    event.preventDefault();
    const names = classes.filter((c) => c.name.trim()).map((c) => `${c.emoji} ${c.name.trim()}`);
    if (!title.trim() || names.length < 2) {
      setError(new GraphQLRequestError("need a title and two classes", "BAD_USER_INPUT"));
      return;
    }
    setBusy(true);
    setError(null);
    try {
      const workshop = await createWorkshop(title.trim(), names, groups);
      navigate(`/admin/workshops/${workshop.id}`);
    } catch (err) {
      setError(err);
      onError(err);
    } finally {
      setBusy(false);
    }
  };

  return (
    <form className="card create-workshop" onSubmit={submit} data-testid="create-workshop">
      <h2>New workshop</h2>
      <label>Title <input value={title} onChange={(e) => setTitle(e.target.value)} data-testid="workshop-title" /></label>
      <fieldset>
        <legend>Classes (2–8)</legend>
        {classes.map((cls, index) => (
          <div key={index} className="class-draft">
            <select value={cls.emoji} onChange={(e) => update(index, { emoji: e.target.value })} aria-label="emoji">
              {EMOJI_CHOICES.map((emoji) => <option key={emoji} value={emoji}>{emoji}</option>)}
            </select>
            <input value={cls.name} placeholder={`class ${index + 1}`} onChange={(e) => update(index, { name: e.target.value })}
                   data-testid={`class-name-${index}`} />
            {classes.length > 2 && (
              <button type="button" className="small-button" onClick={() => setClasses(classes.filter((_, i) => i !== index))}>✕</button>
            )}
          </div>
        ))}
        {classes.length < 8 && (
          <button type="button" className="small-button"
                  onClick={() => setClasses([...classes, { emoji: EMOJI_CHOICES[classes.length % EMOJI_CHOICES.length], name: "" }])}>
            + class
          </button>
        )}
      </fieldset>
      <label>Groups <input type="number" min={1} max={60} value={groups}
                           onChange={(e) => setGroups(Math.max(1, Math.min(60, Number(e.target.value) || 1)))} /></label>
      <ErrorBanner error={error} />
      <button type="submit" className="big-button" disabled={busy}>Create</button>
    </form>
  );
}

export function WorkshopList({ onError }: { onError: (err: unknown) => void }) {
  const [workshops, setWorkshops] = useState<AdminWorkshop[] | null>(null);
  const [error, setError] = useState<unknown>(null);
  useEffect(() => {
    listWorkshops().then(setWorkshops, (err) => {
      setWorkshops([]);
      setError(err);
      onError(err);
    });
  }, [onError]);
  return (
    <div className="admin-columns">
      <section className="card">
        <h2>Workshops</h2>
        {workshops === null ? <Spinner /> : workshops.length === 0 ? <p className="muted">None yet.</p> : (
          <ul className="workshop-list">
            {workshops.map((w) => (
              <li key={w.id}>
                <Link to={`/admin/workshops/${w.id}`}>{w.title}</Link> <span className={`phase phase-${w.phase}`}>{w.phase}</span>
              </li>
            ))}
          </ul>
        )}
        <ErrorBanner error={error} />
      </section>
      <CreateWorkshopForm onError={onError} />
    </div>
  );
}
