// Instructors: may groups try each other's AIs (setFriendsAIs; default on in COMPETE), and
// the children's answers to "why do you think it got it wrong?" counted for the class.
import { useCallback, useState } from "react";
import { graphql } from "../gql";
import { gql, type ResultOf } from "../lib/graphql";
import { useLang, type Lang } from "../lib/i18n";
import { usePolling } from "../lib/usePolling";

const WORDS = {
  title: { ja: "AIで あそぶ", en: "Play with the AIs" },
  friends: { ja: "ほかのグループの AI を試せる", en: "Groups may try each other's AIs" },
  friendsHelp: {
    ja: "写真・スコア・まよった写真は見えません(既定: COMPETE でオン)。",
    en: "No photos, scores or confusing photos are shown (default: on in COMPETE).",
  },
  reflection: { ja: "「なぜまちがえたと思う?」の答え", en: "\"Why do you think it got it wrong?\"" },
  TOO_FEW_PHOTOS: { ja: "写真が少なかった", en: "Too few photos" },
  LOOK_ALIKE: { ja: "にている", en: "They look alike" },
  BACKGROUND: { ja: "はいけい", en: "The background" },
  groups: { ja: "グループ", en: "groups" },
} satisfies Record<string, Record<Lang, string>>;

const PLAY_DOC = graphql(`query Play($id: ID!) { workshop(id: $id) { id friendsAIs } reflectionTally(workshopId: $id) { answer count groups } }`);
type TallyRow = ResultOf<typeof PLAY_DOC>["reflectionTally"][number];

const SET_FRIENDS_AIS_DOC = graphql(`mutation SetFriendsAIs($id: ID!, $on: Boolean!) { setFriendsAIs(workshopId: $id, enabled: $on) { id friendsAIs } }`);

export function PlayPanel({ workshopId, onError }: { workshopId: string; onError?: (err: unknown) => void }) {
  const lang = useLang();
  const [enabled, setEnabled] = useState<boolean | null>(null);
  const [tally, setTally] = useState<TallyRow[]>([]);
  const refresh = useCallback(async () => {
    try {
      const data = await gql(PLAY_DOC, { id: workshopId });
      setEnabled(data.workshop?.friendsAIs ?? null);
      setTally(data.reflectionTally);
    } catch (err) {
      onError?.(err);
    }
  }, [workshopId, onError]);
  usePolling(refresh, 10000);
  const toggle = async (next: boolean) => {
    setEnabled(next);
    try {
      const data = await gql(SET_FRIENDS_AIS_DOC, { id: workshopId, on: next });
      setEnabled(data.setFriendsAIs!.friendsAIs);
    } catch (err) {
      onError?.(err);
      void refresh();
    }
  };
  const total = tally.reduce((sum, row) => sum + row.count, 0);
  return (
    <section className="card" data-testid="play-panel">
      <h2>{WORDS.title[lang]}</h2>
      <label className="toggle-row">
        <input type="checkbox" checked={!!enabled} disabled={enabled === null} data-testid="friends-ais-toggle"
               onChange={(event) => toggle(event.target.checked)} />
        <span>{WORDS.friends[lang]}</span>
      </label>
      <p className="muted">{WORDS.friendsHelp[lang]}</p>
      <h3>{WORDS.reflection[lang]}</h3>
      <table className="tally" data-testid="reflection-tally">
        <tbody>
          {tally.map((row) => (
            <tr key={row.answer} data-answer={row.answer} data-count={row.count}>
              <th scope="row">{WORDS[row.answer]?.[lang] ?? row.answer}</th>
              <td>{row.count}</td>
              <td className="muted">{row.groups} {WORDS.groups[lang]}</td>
              <td><span className="tally-bar" style={{ width: `${total ? Math.round((row.count / total) * 100) : 0}%` }} /></td>
            </tr>
          ))}
        </tbody>
      </table>
    </section>
  );
}
