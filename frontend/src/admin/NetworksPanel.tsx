// Instructors: the venue's networks for this workshop (setAllowedNetworks). Its group cards
// work only from them, at once; empty means the server's global default. The page suggests
// the network this device is on (myNetwork: its /24 or /64), since the instructor usually
// sets this up on the venue's Wi-Fi.
import { useCallback, useEffect, useState } from "react";
import { graphql } from "../gql";
import { gql } from "../lib/graphql";
import { useLang, type Lang } from "../lib/i18n";
import { AdminError } from "./AdminError";

const WORDS = {
  title: { ja: "会場のネットワーク", en: "Venue networks" },
  help: {
    ja: "このワークショップのグループは、ここに書いたネットワークからだけログインと写真の送信ができます(空: サーバーの既定)。",
    en: "This workshop's groups can log in and send photos only from these networks (empty: the server's default).",
  },
  placeholder: { ja: "例: 203.0.113.0/24, 198.51.100.0/26", en: "e.g. 203.0.113.0/24, 198.51.100.0/26" },
  useMine: { ja: "このネットワークを追加", en: "Add this network" },
  save: { ja: "保存", en: "Save" },
  saved: { ja: "保存しました", en: "Saved" },
  current: { ja: "いまのネットワーク", en: "This device's network" },
} satisfies Record<string, Record<Lang, string>>;

const w = (k: keyof typeof WORDS, lang: Lang) => WORDS[k][lang];

export function splitNetworks(text: string): string[] {
  return text.split(/[\s,、]+/).map((s) => s.trim()).filter(Boolean);
}

const NETWORKS_DOC = graphql(`query Networks($id: ID) { workshop(id: $id) { allowedNetworks } myNetwork }`);

const SET_NETWORKS_DOC = graphql(`mutation SetNetworks($id: ID!, $cidrs: [String!]!) { setAllowedNetworks(workshopId: $id, cidrs: $cidrs) { allowedNetworks } }`);

export function NetworksPanel({ workshopId }: { workshopId: string }) {
  const lang = useLang();
  const [text, setText] = useState("");
  const [mine, setMine] = useState<string | null>(null);
  const [error, setError] = useState<unknown>(null);
  const [saved, setSaved] = useState(false);
  const [busy, setBusy] = useState(false);

  useEffect(() => {
    let live = true;
    gql(NETWORKS_DOC, { id: workshopId })
      .then((data) => {
        if (!live) return;
        setText((data.workshop?.allowedNetworks ?? []).join(", "));
        setMine(data.myNetwork);
      })
      .catch((err) => live && setError(err));
    return () => { live = false; };
  }, [workshopId]);

  const save = useCallback(async () => {
    setBusy(true);
    setSaved(false);
    try {
      const data = await gql(SET_NETWORKS_DOC, { id: workshopId, cidrs: splitNetworks(text) });
      setText(data.setAllowedNetworks!.allowedNetworks.join(", "));
      setError(null);
      setSaved(true);
    } catch (err) {
      setError(err);
    } finally {
      setBusy(false);
    }
  }, [text, workshopId]);

  const addMine = () => {
    if (!mine) return;
    const list = splitNetworks(text);
    if (!list.includes(mine)) setText([...list, mine].join(", "));
  };

  return (
    <section className="card" data-testid="networks">
      <h2>{w("title", lang)}</h2>
      <p className="muted">{w("help", lang)}</p>
      <input value={text} onChange={(e) => { setText(e.target.value); setSaved(false); }}
             placeholder={w("placeholder", lang)} aria-label={w("title", lang)} data-testid="networks-input" />
      {mine && (
        <p>
          {w("current", lang)}: <code data-testid="my-network">{mine}</code>{" "}
          <button type="button" className="small-button" onClick={addMine} data-testid="networks-add-mine">
            {w("useMine", lang)}
          </button>
        </p>
      )}
      <button type="button" className="big-button" disabled={busy} onClick={save} data-testid="networks-save">
        {w("save", lang)}
      </button>
      {saved && <span className="muted" data-testid="networks-saved"> {w("saved", lang)}</span>}
      <AdminError error={error} onClose={() => setError(null)} />
    </section>
  );
}
