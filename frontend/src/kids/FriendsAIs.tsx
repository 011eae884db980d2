// "Whose AI?" on the Try screen: our own, or a friend's (another group of the workshop with a
// trained AI, while the instructors allow it). The photo is always ours; only the AI changes.
import { useCallback, useState } from "react";
import { plainText, useLang } from "../lib/i18n";
import { loadFriends, type Friend } from "../lib/playApi";
import { ptr } from "../lib/playStrings";
import { usePolling } from "../lib/usePolling";
import { PlayText } from "./Reaction";

const FRIENDS_REFRESH_MS = 15000;

export function FriendsAIs({ value, onChange }: { value: string | null; onChange: (groupId: string | null, name: string | null) => void }) {
  const lang = useLang();
  const [friends, setFriends] = useState<Friend[]>([]);
  const refresh = useCallback(async () => {
    try {
      const next = await loadFriends();
      setFriends(next);
      // Turned off (or the friend is gone) meanwhile: back to our own AI.
      if (value && !next.some((f) => f.id === value)) onChange(null, null);
    } catch {
      /* a nicety: without the list the screen tries our own AI as before */
    }
  }, [value, onChange]);
  usePolling(refresh, FRIENDS_REFRESH_MS);
  if (friends.length === 0) return null;
  return (
    <div className="friends-ais" data-testid="friends-ais">
      <p className="friends-title"><PlayText k="whoseAI" /></p>
      <div className="friends-choices" role="radiogroup" aria-label={plainText(ptr("whoseAI", lang))}>
        <button type="button" role="radio" aria-checked={value === null} data-testid="friend-own"
                className={`choice friend-choice${value === null ? " chosen" : ""}`} onClick={() => onChange(null, null)}>
          <PlayText k="ourAI" />
        </button>
        {friends.map((friend) => (
          <button key={friend.id} type="button" role="radio" aria-checked={value === friend.id} data-testid="friend-ai"
                  data-group-id={friend.id} className={`choice friend-choice${value === friend.id ? " chosen" : ""}`}
                  onClick={() => onChange(friend.id, friend.name)}>
            <span aria-hidden="true">{friend.emoji}</span> <PlayText k="friendAI" vars={{ name: friend.name }} />
          </button>
        ))}
      </div>
      <p className="muted"><PlayText k="friendsHint" /></p>
    </div>
  );
}
