// The AI's reaction when it picks a class: the group's emoji bursting up (or, with
// prefers-reduced-motion, simply shown), its sound (unless muted) and its words. Also the
// mute toggle and the Train screen's picker (one reaction per class).
import { useEffect, useState } from "react";
import type { WorkshopClass } from "../lib/api";
import { plainText, Rubied, useLang } from "../lib/i18n";
import {
  loadReactions, MAX_REACTION_WORDS, REACTION_EMOJIS, REACTION_SOUNDS, saveReaction, type Reaction,
} from "../lib/playApi";
import { ptr, type PlayKey } from "../lib/playStrings";
import { playSound, setMuted, unlockAudioOnFirstTap, useMuted } from "../lib/sounds";
import { ErrorBanner } from "../lib/ui";
import { classDisplayName, classEmoji } from "./Home";

function P({ k, vars }: { k: PlayKey; vars?: Record<string, string | number> }) {
  const lang = useLang();
  return <Rubied text={ptr(k, lang, vars)} />;
}

unlockAudioOnFirstTap();

export function prefersReducedMotion(): boolean {
  return typeof window !== "undefined" && !!window.matchMedia?.("(prefers-reduced-motion: reduce)").matches;
}

/** Plays once per ``playKey`` (a new answer): the sound now, the animation by CSS. */
export function ReactionPlayer({ reaction, playKey }: { reaction: Reaction | null | undefined; playKey: string }) {
  const muted = useMuted();
  const [reduced] = useState(prefersReducedMotion);
  useEffect(() => {
    if (reaction?.sound) playSound(reaction.sound);
    // Only a new answer plays it again, not a re-render.
  }, [playKey]);
  if (!reaction || (!reaction.emoji && !reaction.words && !reaction.sound)) return null;
  return (
    <div className={`reaction${reduced ? " reaction-still" : " reaction-burst"}`} data-testid="reaction"
         data-emoji={reaction.emoji ?? ""} data-sound={reaction.sound ?? ""} data-muted={muted}
         data-motion={reduced ? "reduced" : "full"} role="status">
      {reaction.emoji && (
        <span className="reaction-emoji" aria-hidden="true">
          {(reduced ? [0] : [0, 1, 2, 3, 4]).map((i) => <span key={i} className={`reaction-bit bit-${i}`}>{reaction.emoji}</span>)}
        </span>
      )}
      {reaction.words && <span className="reaction-words" data-testid="reaction-words">{reaction.words}</span>}
    </div>
  );
}

export function MuteToggle() {
  const muted = useMuted();
  const lang = useLang();
  return (
    <button type="button" className="small-button mute-toggle" data-testid="mute-toggle" aria-pressed={muted}
            onClick={() => setMuted(!muted)} aria-label={plainText(ptr(muted ? "soundOff" : "soundOn", lang))}>
      {ptr(muted ? "soundOff" : "soundOn", lang)}
    </button>
  );
}

function ReactionRow({ cls, index, initial }: { cls: WorkshopClass; index: number; initial: Reaction | null }) {
  const lang = useLang();
  const [emoji, setEmoji] = useState<string | null>(initial?.emoji ?? null);
  const [sound, setSound] = useState<string | null>(initial?.sound ?? null);
  const [words, setWords] = useState(initial?.words ?? "");
  const [saved, setSaved] = useState(false);
  const [error, setError] = useState<unknown>(null);
  const save = async () => {
    setError(null);
    try {
      await saveReaction(cls.id, { emoji, sound, words: words.trim() || null });
      setSaved(true);
    } catch (err) {
      setError(err);
    }
  };
  const changed = (fn: () => void) => () => { fn(); setSaved(false); };
  return (
    <li className="reaction-row" data-testid="reaction-row" data-class-id={cls.id}>
      <h3><span aria-hidden="true">{classEmoji(cls, index)}</span> {classDisplayName(cls, index)}</h3>
      <div className="reaction-choices" role="radiogroup" aria-label={plainText(ptr("reactionEmoji", lang))}>
        {[null, ...REACTION_EMOJIS].map((e) => (
          <button key={e ?? "none"} type="button" role="radio" aria-checked={emoji === e}
                  className={`choice${emoji === e ? " chosen" : ""}`} data-testid="reaction-emoji" data-value={e ?? ""}
                  aria-label={e ?? plainText(ptr("reactionNone", lang))} onClick={changed(() => setEmoji(e))}>
            {e ?? <P k="reactionNone" />}
          </button>
        ))}
      </div>
      <div className="reaction-choices" role="radiogroup" aria-label={plainText(ptr("reactionSound", lang))}>
        {[null, ...REACTION_SOUNDS].map((s) => (
          <button key={s ?? "none"} type="button" role="radio" aria-checked={sound === s}
                  className={`choice${sound === s ? " chosen" : ""}`} data-testid="reaction-sound" data-value={s ?? ""}
                  onClick={changed(() => { setSound(s); playSound(s); })}>
            {s ? <P k={`sound${s}` as PlayKey} /> : <P k="reactionNone" />}
          </button>
        ))}
      </div>
      <label className="reaction-words-field">
        <span><P k="reactionWords" /></span>
        <input type="text" maxLength={MAX_REACTION_WORDS} value={words} data-testid="reaction-words-input"
               onChange={(event) => { setWords(event.target.value); setSaved(false); }} />
      </label>
      <button type="button" className="big-button reaction-save" data-testid="reaction-save" onClick={save}>
        <P k={saved ? "reactionSaved" : "reactionSave"} />
      </button>
      <ErrorBanner error={error} onClose={() => setError(null)} />
    </li>
  );
}

/** The Train screen's "your AI's reactions": one row per class. */
export function ReactionPicker({ classes }: { classes: WorkshopClass[] }) {
  const [loaded, setLoaded] = useState<Record<string, Reaction | null> | null>(null);
  const [open, setOpen] = useState(false);
  useEffect(() => {
    if (!open || loaded) return;
    loadReactions().then((rows) => setLoaded(Object.fromEntries(rows.map((r) => [r.id, r.reaction]))),
                         () => setLoaded({}));
  }, [open, loaded]);
  return (
    <div className="reaction-block" data-testid="reaction-picker">
      <button type="button" className="small-button" aria-expanded={open} data-testid="reaction-open"
              onClick={() => setOpen((o) => !o)}>
        <span aria-hidden="true">🎉</span> <P k="reactionTitle" />
      </button>
      {open && loaded && (
        <>
          <p className="muted"><P k="reactionHint" /></p>
          <MuteToggle />
          <ul className="reaction-rows">
            {classes.map((cls, index) => <ReactionRow key={cls.id} cls={cls} index={index} initial={loaded[cls.id] ?? null} />)}
          </ul>
        </>
      )}
    </div>
  );
}

export { P as PlayText };
