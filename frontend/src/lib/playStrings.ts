// Strings of "play with your AI" (a friend's AI, reactions, what my AI learned). Japanese
// marks furigana as {漢字|よみ}, like strings.ts; ${name} fills in.
import type { Lang } from "./i18n";

export const PLAY_STRINGS = {
  whoseAI: { ja: "どの AIで ためす?", en: "Whose AI?" },
  ourAI: { ja: "わたしたちの AI", en: "Our AI" },
  friendAI: { ja: "${name}の AI", en: "${name}'s AI" },
  friendsHint: {
    ja: "ともだちの AIにも きいてみよう。{写真|しゃしん}は きみたちの ものだよ。",
    en: "Ask a friend's AI too. The photo stays yours.",
  },
  friendAnswer: { ja: "${name}の AIの こたえ", en: "${name}'s AI says" },
  reactionTitle: { ja: "AIの リアクション", en: "Your AI's reactions" },
  reactionHint: {
    ja: "AIが この なかまだと おもったときの よろこびかたを えらぼう。",
    en: "Pick how your AI cheers when it thinks a photo is this kind.",
  },
  reactionEmoji: { ja: "うごく えもじ", en: "Moving emoji" },
  reactionSound: { ja: "おと", en: "Sound" },
  reactionWords: { ja: "ことば(なくても いいよ)", en: "Words (if you like)" },
  reactionNone: { ja: "なし", en: "None" },
  reactionSave: { ja: "きめた!", en: "Save" },
  reactionSaved: { ja: "きめたよ!", en: "Saved!" },
  reactionTryIt: { ja: "ためしに きく", en: "Play it" },
  soundOn: { ja: "🔊 おと あり", en: "🔊 Sound on" },
  soundOff: { ja: "🔇 おと なし", en: "🔇 Sound off" },
  soundpop: { ja: "ポン", en: "Pop" },
  soundchime: { ja: "キラリン", en: "Chime" },
  soundboing: { ja: "ビヨーン", en: "Boing" },
  soundfanfare: { ja: "ファンファーレ", en: "Fanfare" },
  soundwhistle: { ja: "ピュー", en: "Whistle" },
  sounddrum: { ja: "ドンドン", en: "Drum" },
  learnedTitle: { ja: "AIが おぼえた こと", en: "What my AI learned" },
  learnedSure: { ja: "じしん", en: "How sure" },
  learnedOwnAccuracy: {
    ja: "じぶんたちの {写真|しゃしん}の テスト: ${n}%",
    en: "Test on our own photos: ${n}%",
  },
  learnedOwnAccuracyHelp: {
    ja: "{写真|しゃしん}を 1まいずつ かくして、のこりで おぼえた AIに きいた けっか だよ。",
    en: "Each photo was hidden in turn and asked to an AI that learned from the others.",
  },
  learnedTestAccuracy: { ja: "ひみつテスト: ${n}%", en: "Secret test: ${n}%" },
  learnedLooked: { ja: "AIが みたところ", en: "Where the AI looked" },
  learnedConfusing: { ja: "AIが まよった {写真|しゃしん}", en: "Photos that confused it" },
  learnedConfusingNone: { ja: "まよった {写真|しゃしん}は ないよ", en: "None confused it" },
  learnedPrint: { ja: "🖨️ いんさつ する", en: "🖨️ Print" },
  reflectQuestion: { ja: "なぜ まちがえたと おもう?", en: "Why do you think it got it wrong?" },
  reflectTOO_FEW_PHOTOS: { ja: "📷 {写真|しゃしん}が すくなかった", en: "📷 Too few photos" },
  reflectLOOK_ALIKE: { ja: "👯 にている", en: "👯 They look alike" },
  reflectBACKGROUND: { ja: "🖼️ うしろの けしき(はいけい)", en: "🖼️ The background" },
  reflectThanks: { ja: "こたえて くれて ありがとう!", en: "Thanks for your answer!" },
} as const satisfies Record<string, Record<Lang, string>>;

export type PlayKey = keyof typeof PLAY_STRINGS;

export function ptr(key: PlayKey, lang: Lang, vars?: Record<string, string | number>): string {
  const text: string = PLAY_STRINGS[key][lang];
  if (!vars) return text;
  return text.replace(/\$\{(\w+)\}/g, (_, name: string) => String(vars[name] ?? ""));
}
