// The instructors' words for running the day (plain Japanese and English, like adminText).
import { Fragment } from "react";
import { useLang, type Lang } from "../lib/i18n";

export const DAY_STRINGS = {
  stepperLabel: { ja: "ワークショップの進行", en: "Workshop steps" },
  stepNow: { ja: "いまここ", en: "now" },
  stepNext: { ja: "次へ: ${phase}", en: "Next: ${phase}" },
  stepBack: { ja: "${phase} に戻す", en: "Back to ${phase}" },
  stepOpensSETUP: { ja: "子どもの画面は待機中。カードの配布と準備。", en: "Children wait; hand out cards, get ready." },
  stepOpensCOLLECT: { ja: "写真を撮れるようになります。", en: "Children can take photos." },
  stepOpensTRAIN: { ja: "AIを育てる・ためすが開きます(写真もまだ撮れます)。", en: "Opens training and trying (photos still allowed)." },
  stepOpensCOMPETE: { ja: "ランキングが開きます。写真の追加はできません。", en: "Opens the ranking; no more photos." },
  stepOpensCLOSED: { ja: "すべて止まります。子どもは何もできません。", en: "Everything stops; children can do nothing." },
  confirmTitle: { ja: "本当に「${phase}」にしますか?", en: "Really switch to “${phase}”?" },
  confirmBack: { ja: "前の段階に戻すと、子どもの画面で開いていたものが閉じます(${n} グループ)。",
                 en: "Going back closes what the children have open (${n} groups)." },
  confirmClose: { ja: "終了すると、全グループ(${n})の iPad が止まります。", en: "Closing stops every group's iPad (${n} groups)." },
  confirmYes: { ja: "はい、切り替える", en: "Yes, switch" },
  confirmNo: { ja: "やめる", en: "Cancel" },
  liveTitle: { ja: "グループの様子(自動更新)", en: "Groups, live" },
  colNumber: { ja: "番号", en: "No." },
  colGroup: { ja: "グループ", en: "Group" },
  colPhotos: { ja: "クラスごとの写真", en: "Photos per class" },
  colTrained: { ja: "学習", en: "Trained" },
  colBest: { ja: "最高スコア", en: "Best score" },
  colLast: { ja: "最後の操作", en: "Last activity" },
  colTries: { ja: "ためす ⭕/❌", en: "Tries ⭕/❌" },
  colCard: { ja: "カード", en: "Card" },
  never: { ja: "まだなし", en: "never" },
  minutesAgo: { ja: "${n} 分前", en: "${n} min ago" },
  secondsAgo: { ja: "${n} 秒前", en: "${n} s ago" },
  idle: { ja: "5 分以上操作なし", en: "idle over 5 min" },
  stuck: { ja: "学習が 5 分以上進まない", en: "run stuck over 5 min" },
  reissue: { ja: "カード再発行", en: "Reissue card" },
  confirmReissue: { ja: "${name} の今のカードは使えなくなります(写真と学習は残ります)。再発行しますか?",
                    en: "${name}'s current card stops working (its photos and runs are kept). Reissue?" },
  newCard: { ja: "${name} の新しいカード", en: "New card of ${name}" },
  printCards: { ja: "カードを印刷", en: "Print cards" },
  close: { ja: "閉じる", en: "Close" },
  testGallery: { ja: "テスト写真(${n} 枚)", en: "Test photos (${n})" },
  deleteTestPhoto: { ja: "このテスト写真を削除", en: "Delete this test photo" },
  confirmDeleteTest: { ja: "このテスト写真を削除しますか?全グループのスコアが計算し直されます。",
                       en: "Delete this test photo? Every group's score is computed again." },
  noTestPhotos: { ja: "まだテスト写真はありません。", en: "No test photos yet." },
  projector: { ja: "プロジェクター操作", en: "Projector tools" },
  scoresHidden: { ja: "スコアを子どもに隠す", en: "Hide scores from the children" },
  scoresAreHidden: { ja: "スコアは隠されています(子どもの画面に出ません)", en: "Scores are hidden (no child sees one)" },
  scoresAreShown: { ja: "スコアは公開中", en: "Scores are shown" },
  hideScores: { ja: "スコアを隠す", en: "Hide scores" },
  reveal: { ja: "最下位から発表", en: "Reveal from last place" },
  revealing: { ja: "発表中…", en: "Revealing…" },
  showAll: { ja: "すぐに全部公開", en: "Show all now" },
  countdown: { ja: "タイマー", en: "Timer" },
  minutes: { ja: "分", en: "minutes" },
  start: { ja: "スタート", en: "Start" },
  stop: { ja: "ストップ", en: "Stop" },
  timeUp: { ja: "時間です!", en: "Time's up!" },
  announceTitle: { ja: "全 iPad へのお知らせ", en: "Announcement to every iPad" },
  announceMessage: { ja: "メッセージ", en: "Message" },
  freeze: { ja: "画面を止める(「みんな 手を とめて」)", en: "Freeze the screens (“hands off”)" },
  send: { ja: "送る", en: "Send" },
  lift: { ja: "お知らせを消す・画面を戻す", en: "Lift it" },
  current: { ja: "表示中: ${message}", en: "Showing: ${message}" },
  frozen: { ja: "(画面停止中)", en: "(screens frozen)" },
  hiddenScore: { ja: "?", en: "?" },
  lastTryTitle: { ja: "グループの最後の「ためす」", en: "A group's last try" },
  lastTryGroup: { ja: "グループ", en: "Group" },
  lastTryShow: { ja: "表示", en: "Show" },
  lastTryNone: { ja: "このグループはまだためしていません。", en: "This group has not tried yet." },
  lastTryAnswer: { ja: "AIの答え: ${label}", en: "The AI said: ${label}" },
  lastTryLooked: { ja: "AIが見たところ(明るい部分)", en: "Where the AI looked (the bright parts)" },
  classLog: { ja: "クラスの記録: AIの答えは合っていた?(子どもの ⭕/❌)", en: "Class log: was the AI right? (the children's ⭕/❌)" },
  classLogNone: { ja: "まだ答えはありません。", en: "No answers yet." },
  classLogOther: { ja: "(クラス不明)", en: "(class not given)" },
} as const;

export type DayKey = keyof typeof DAY_STRINGS;

export function dt(key: DayKey, lang: Lang, vars?: Record<string, string | number>): string {
  const text: string = DAY_STRINGS[key][lang];
  return vars ? text.replace(/\$\{(\w+)\}/g, (_, name: string) => String(vars[name] ?? "")) : text;
}

export function DT({ k, vars }: { k: DayKey; vars?: Record<string, string | number> }) {
  return <Fragment>{dt(k, useLang(), vars)}</Fragment>;
}
