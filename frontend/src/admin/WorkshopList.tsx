// Workshops and the form that creates one (title, classes each with an emoji, number of groups).
import { useEffect, useState, type FormEvent } from "react";
import { GraphQLRequestError } from "../lib/graphql";
import { useLang } from "../lib/i18n";
import { Link, navigate } from "../lib/router";
import { Spinner } from "../lib/ui";
import { AdminError } from "./AdminError";
import { createWorkshop, listWorkshops, type WorkshopSummary } from "./adminApi";
import { at, AT } from "./adminText";

// "" = let the BFF choose one that fits the name (its built-in table) or a neutral shape.
const EMOJI_CHOICES = ["", "🍎", "🍌", "🍊", "🍓", "✏️", "🖊️", "📚", "📓", "✂️", "🧽", "🧸", "🚗", "🐶", "🐱",
  "🌼", "🌿", "🍃", "🪨", "🧱", "⚽", "🥤", "👟", "🧢", "🔑", "👓", "⏰", "☂️", "🖍️", "🔴", "🔵", "🟢", "🟡"];

interface ClassDraft { emoji: string; name: string }

function CreateWorkshopForm({ onError }: { onError: (err: unknown) => void }) {
  const lang = useLang();
  const [title, setTitle] = useState("");
  const [classes, setClasses] = useState<ClassDraft[]>([{ emoji: "", name: "" }, { emoji: "", name: "" }, { emoji: "", name: "" }]);
  const [groups, setGroups] = useState(6);
  const [error, setError] = useState<unknown>(null);
  const [busy, setBusy] = useState(false);
  const update = (index: number, patch: Partial<ClassDraft>) =>
    setClasses((current) => current.map((c, i) => (i === index ? { ...c, ...patch } : c)));

  const submit = async (event: FormEvent) => {
    event.preventDefault();
    const filled = classes.filter((c) => c.name.trim());
    if (!title.trim() || filled.length < 2) {
      setError(new GraphQLRequestError(at("needTitleAndClasses", lang), "BAD_USER_INPUT"));
      return;
    }
    setBusy(true);
    setError(null);
    try {
      const workshop = await createWorkshop(title.trim(), filled.map((c) => c.name.trim()), groups,
                                            filled.map((c) => c.emoji));
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
      <h2><AT k="newWorkshop" /></h2>
      <label><AT k="title" /> <input value={title} onChange={(e) => setTitle(e.target.value)} data-testid="workshop-title" /></label>
      <fieldset>
        <legend><AT k="classesLegend" /></legend>
        {classes.map((cls, index) => (
          <div key={index} className="class-draft">
            <select value={cls.emoji} onChange={(e) => update(index, { emoji: e.target.value })}
                    aria-label={at("emojiLabel", lang, { n: index + 1 })} data-testid={`class-emoji-${index}`}>
              {EMOJI_CHOICES.map((emoji) => <option key={emoji} value={emoji}>{emoji || at("emojiAuto", lang)}</option>)}
            </select>
            <input value={cls.name} placeholder={at("classPlaceholder", lang, { n: index + 1 })}
                   aria-label={at("classPlaceholder", lang, { n: index + 1 })}
                   onChange={(e) => update(index, { name: e.target.value })} data-testid={`class-name-${index}`} />
            {classes.length > 2 && (
              <button type="button" className="small-button" aria-label={at("removeClass", lang, { n: index + 1 })}
                      onClick={() => setClasses(classes.filter((_, i) => i !== index))}>✕</button>
            )}
          </div>
        ))}
        {classes.length < 8 && (
          <button type="button" className="small-button" onClick={() => setClasses([...classes, { emoji: "", name: "" }])}>
            <AT k="addClass" />
          </button>
        )}
      </fieldset>
      <label><AT k="groupsLabel" /> <input type="number" min={1} max={60} value={groups} data-testid="workshop-groups"
                           onChange={(e) => setGroups(Math.max(1, Math.min(60, Number(e.target.value) || 1)))} /></label>
      <AdminError error={error} />
      <button type="submit" className="big-button" disabled={busy} data-testid="create-workshop-button"><AT k="create" /></button>
    </form>
  );
}

export function WorkshopList({ onError }: { onError: (err: unknown) => void }) {
  const [workshops, setWorkshops] = useState<WorkshopSummary[] | null>(null);
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
        <h1 className="admin-h"><AT k="workshops" /></h1>
        {workshops === null ? <Spinner /> : workshops.length === 0 ? <p className="muted"><AT k="noneYet" /></p> : (
          <ul className="workshop-list">
            {workshops.map((w) => (
              <li key={w.id}>
                <Link to={`/admin/workshops/${w.id}`}>{w.title}</Link>{" "}
                <span className={`phase phase-${w.phase}`}><AT k={`phase${w.phase}`} /></span>
              </li>
            ))}
          </ul>
        )}
        <AdminError error={error} />
      </section>
      <CreateWorkshopForm onError={onError} />
    </div>
  );
}
