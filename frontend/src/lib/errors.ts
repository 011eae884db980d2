// Every error the BFF can return, said so that a 9-year-old understands what to do.
// Japanese uses {漢字|かんじ} furigana markup (see i18n.tsx); English is plain.
import type { ServerErrorCode } from "./errorCodes.generated";
import type { Lang } from "./i18n";

/** Codes the services put in `extensions.code` (generated from the Python enum), plus NETWORK
 * for "the request never arrived". */
export type ErrorCode = ServerErrorCode | "NETWORK";

type Message = { ja: string; en: string };
type Messages = Record<ErrorCode, Message>;

const UNAVAILABLE: Message = {
  ja: "サーバーが いそがしいみたい。すこし まってから また やってみよう。",
  en: "The server is busy. Wait a little and try again.",
};
const OUT_OF_DATE: Message = {
  ja: "アプリが{古|ふる}いみたい。ページを よみこみなおしてね。",
  en: "The app seems out of date. Please reload the page.",
};

export const ERROR_MESSAGES: Messages = {
  UNAUTHENTICATED: {
    ja: "ログインが きれたよ。{先生|せんせい}に カードを もらって、もう{一度|いちど} QRコードを よみとってね。",
    en: "You are logged out. Ask your teacher for your card and scan the QR code again.",
  },
  FORBIDDEN: {
    ja: "これは できないよ。{先生|せんせい}に きいてね。",
    en: "You can't do that here. Ask your teacher.",
  },
  NOT_FOUND: {
    ja: "みつからなかったよ。もう けされたのかも。",
    en: "We couldn't find it. Maybe it was deleted.",
  },
  BAD_USER_INPUT: {
    ja: "この{写真|しゃしん}は つかえないよ。べつの{写真|しゃしん}を とってね。",
    en: "We can't use this. Please try another photo.",
  },
  FAILED_PRECONDITION: {
    ja: "いまは まだ できないよ。{先生|せんせい}の あいずを まってね。",
    en: "Not yet! Wait for your teacher's signal.",
  },
  PAYLOAD_TOO_LARGE: {
    ja: "{写真|しゃしん}が {大|おお}きすぎるよ。もう{一度|いちど} とってね。",
    en: "This photo is too big. Please take it again.",
  },
  UNSUPPORTED_MEDIA_TYPE: {
    ja: "これは {写真|しゃしん}では ないみたい。カメラで とってね。",
    en: "That doesn't look like a photo. Use the camera.",
  },
  RATE_LIMITED: {
    ja: "ちょっと はやすぎたよ。すこし まってね。",
    en: "Whoa, too fast! Wait a moment.",
  },
  UNAVAILABLE,
  INTERNAL: {
    ja: "なにか うまく いかなかったよ。もう{一度|いちど} やってみて、だめなら {先生|せんせい}を よんでね。",
    en: "Something went wrong. Try again, and if it still fails, call your teacher.",
  },
  CONFLICT: {
    ja: "ほかの{人|ひと}が さきに かえたよ。もう{一度|いちど} やってみてね。",
    en: "Someone changed this just now. Try again.",
  },
  GRAPHQL_VALIDATION_FAILED: OUT_OF_DATE,
  QUERY_TOO_COMPLEX: {
    ja: "{一度|いちど}に たくさん ききすぎたよ。ページを よみこみなおしてね。",
    en: "That asked for too much at once. Please reload the page.",
  },
  // The ML API's answers to the BFF; should one reach a browser it means the same as these.
  BUSY: UNAVAILABLE,
  BAD_REQUEST: OUT_OF_DATE,
  NETWORK: {
    ja: "インターネットに つながっていないよ。つながったら {自動|じどう}で おくるよ。",
    en: "No connection right now. We'll send it as soon as we're back online.",
  },
};

export function friendlyError(code: string | undefined, lang: Lang): string {
  const entry = ERROR_MESSAGES[(code ?? "INTERNAL") as ErrorCode] ?? ERROR_MESSAGES.INTERNAL;
  return entry[lang];
}
