// The instructors' words, in Japanese and English (plain: adults read kanji, no furigana).
// Kept apart from lib/strings.ts so that they load with the admin chunk only. The language
// is the children's app's (same toggle, same stored choice); without a choice, the
// browser's (see adoptBrowserLang).
import { Fragment } from "react";
import { adoptBrowserLang, useLang, type Lang } from "../lib/i18n";
import type { ErrorCode } from "../lib/graphql";

adoptBrowserLang();

export const ADMIN_STRINGS = {
  adminTitle: { ja: "PictoLab 管理", en: "PictoLab admin" },
  password: { ja: "パスワード", en: "Password" },
  logIn: { ja: "ログイン", en: "Log in" },
  wrongPassword: { ja: "パスワードが違います。", en: "Wrong password." },
  workshops: { ja: "ワークショップ", en: "Workshops" },
  noneYet: { ja: "まだありません。", en: "None yet." },
  newWorkshop: { ja: "新しいワークショップ", en: "New workshop" },
  title: { ja: "タイトル", en: "Title" },
  classesLegend: { ja: "クラス(2〜8)", en: "Classes (2–8)" },
  classPlaceholder: { ja: "クラス ${n}", en: "class ${n}" },
  emojiLabel: { ja: "クラス ${n} の絵文字", en: "Emoji of class ${n}" },
  emojiAuto: { ja: "おまかせ", en: "Auto" },
  removeClass: { ja: "クラス ${n} を削除", en: "Remove class ${n}" },
  addClass: { ja: "+ クラス", en: "+ class" },
  groupsLabel: { ja: "グループ数", en: "Groups" },
  create: { ja: "作成", en: "Create" },
  needTitleAndClasses: { ja: "タイトルと 2 つ以上のクラスが必要です。", en: "A title and at least two classes are needed." },
  qrCards: { ja: "QR カード", en: "QR cards" },
  scoreboard: { ja: "スコアボード", en: "Scoreboard" },
  phase: { ja: "フェーズ", en: "Phase" },
  phaseSETUP: { ja: "準備", en: "SETUP" },
  phaseCOLLECT: { ja: "写真集め", en: "COLLECT" },
  phaseTRAIN: { ja: "学習", en: "TRAIN" },
  phaseCOMPETE: { ja: "対戦", en: "COMPETE" },
  phaseCLOSED: { ja: "終了", en: "CLOSED" },
  groups: { ja: "グループ", en: "Groups" },
  nPhotos: { ja: "${n} 枚", en: "${n} photos" },
  noGroups: { ja: "グループがありません。", en: "No groups." },
  testPhotos: { ja: "非公開テスト写真", en: "Hidden test photos" },
  testPhotosHint: { ja: "どのグループにも見えない写真。すべてのモデルをこれで採点します。",
                    en: "Photos no group sees; every model is scored on them." },
  addPhotos: { ja: "追加…", en: "Add…" },
  addTestPhotos: { ja: "${name} のテスト写真を追加", en: "Add test photos of ${name}" },
  chartTitle: { ja: "写真が多いほど AI は賢くなる?", en: "More photos → better AI?" },
  chartAxis: { ja: "写真の枚数", en: "photos" },
  chartLabel: { ja: "写真の枚数と正解率", en: "photos vs accuracy" },
  chartDot: { ja: "${group}: 写真 ${n} 枚、正解率 ${accuracy}%(${mode})", en: "${group}: ${n} photos, ${accuracy}% (${mode})" },
  modeQUICK: { ja: "はやく", en: "quick" },
  modeDEEP: { ja: "じっくり", en: "thorough" },
  noScoredRuns: { ja: "採点済みの学習はまだありません。", en: "No scored runs yet." },
  moderation: { ja: "写真(確認・削除)", en: "Photos (moderation)" },
  allGroups: { ja: "すべてのグループ", en: "All groups" },
  allClasses: { ja: "すべてのクラス", en: "All classes" },
  filterGroup: { ja: "グループで絞り込み", en: "Filter by group" },
  filterClass: { ja: "クラスで絞り込み", en: "Filter by class" },
  noPhotos: { ja: "写真はありません。", en: "No photos." },
  deletePhoto: { ja: "写真を削除", en: "Delete photo" },
  confirmDeletePhoto: { ja: "この写真を削除しますか?", en: "Delete this photo?" },
  purgeTitle: { ja: "すべて削除", en: "Delete everything" },
  purgeBody: { ja: "このワークショップの写真・モデル・特徴量をすべて削除します。元に戻せません。確認のためタイトル「${title}」を入力してください。",
               en: "Deletes every photo, model and embedding of this workshop. It cannot be undone. Type the workshop title “${title}” to confirm." },
  purgeInput: { ja: "ワークショップのタイトル", en: "workshop title" },
  purgeButton: { ja: "ワークショップを削除", en: "Purge workshop" },
  photosPerClass: { ja: "クラスごとの写真", en: "Photos per class" },
  runs: { ja: "学習の記録", en: "Runs" },
  mode: { ja: "モード", en: "mode" },
  status: { ja: "状態", en: "status" },
  test: { ja: "テスト", en: "test" },
  showMatrix: { ja: "混同行列", en: "matrix" },
  confusionTitle: { ja: "混同行列", en: "Confusion matrix" },
  confusionCorner: { ja: "正解 ↓ / 予測 →", en: "true ↓ / predicted →" },
  noTestResults: { ja: "この学習にはテスト結果がありません。", en: "No test results for this run." },
  noCellPhotos: { ja: "このマスの写真は残っていません。", en: "The server kept no photos for this cell." },
  print: { ja: "印刷", en: "Print" },
  noLoginUrl: { ja: "${n} グループにログイン URL がありません。", en: "${n} group(s) have no login URL." },
  cardHint: { ja: "iPadの カメラで よみとってね", en: "Scan me with the iPad camera" },
  cardQr: { ja: "${name} のログイン QR コード", en: "Login QR code of ${name}" },
  photosShort: { ja: "写真", en: "photos" },
  lastUpdate: { ja: "更新 ${time}", en: "Updated ${time}" },
  rank: { ja: "順位", en: "Rank" },
  scoreboardEmpty: { ja: "まだ誰も採点されていません", en: "No scores yet" },
  sureTitle: { ja: "クラスごとの確信度（グループの写真で交差検証）", en: "How sure per class (cross-validated on the group's photos)" },
  sureColumn: { ja: "確信度", en: "sure" },
  countColumn: { ja: "枚数", en: "photos" },
  classColumn: { ja: "クラス", en: "class" },
  confusingTitle: { ja: "AIが迷った写真", en: "Photos that confuse the AI" },
  confusingNone: { ja: "迷った写真はありません。", en: "No confusing photos." },
  email: { ja: "メールアドレス", en: "Email" },
  emailHint: { ja: "空欄のとき: pictolab up が表示したパスワード(最初の組織管理者)", en: "Empty: the password pictolab up printed (the first org admin)" },
  wrongEmailOrPassword: { ja: "メールアドレスかパスワードが違います。", en: "Wrong email or password." },
  loginLocked: { ja: "間違いが多すぎます。少し待ってください。アカウントがロックされた場合は組織管理者に解除を頼んでください。",
                 en: "Too many wrong passwords. Wait a minute; if the account is locked, ask an org admin to unlock it." },
  instructors: { ja: "講師", en: "Instructors" },
  account: { ja: "アカウント", en: "Account" },
  signedInAs: { ja: "${email} でログイン中", en: "Signed in as ${email}" },
  logOut: { ja: "ログアウト", en: "Log out" },
  inviteTitle: { ja: "講師を招待", en: "Invite an instructor" },
  invite: { ja: "招待リンクを作成", en: "Create invitation link" },
  inviteOrgAdmin: { ja: "組織管理者にする(全ワークショップを見られます)", en: "Make them an org admin (sees every workshop)" },
  oneTimeLink: { ja: "リンク(72 時間、1 回だけ有効)。本人に渡してください:", en: "Link (works once, for 72 h). Give it to them:" },
  resetLink: { ja: "パスワード再設定リンク", en: "Password reset link" },
  orgAdmin: { ja: "組織管理者", en: "Org admin" },
  locked: { ja: "ロック中", en: "Locked" },
  unlock: { ja: "ロック解除", en: "Unlock" },
  firstAdminNote: { ja: "パスワードは PICTOLAB_ADMIN_PASSWORD", en: "Password: PICTOLAB_ADMIN_PASSWORD" },
  changePassword: { ja: "パスワード変更", en: "Change password" },
  currentPassword: { ja: "現在のパスワード", en: "Current password" },
  newPassword: { ja: "新しいパスワード(10 文字以上)", en: "New password (10+ characters)" },
  passwordChanged: { ja: "変更しました。ほかの端末のログインは終了しました。", en: "Changed. Your other sessions were ended." },
  wrongCurrentPassword: { ja: "現在のパスワードが違います。", en: "The current password is wrong." },
  passwordFromSetting: { ja: "このアカウントのパスワードは PICTOLAB_ADMIN_PASSWORD です。変更はそちらで行います。",
                         en: "This account's password is PICTOLAB_ADMIN_PASSWORD; change it there." },
  sessions: { ja: "ログイン中の端末", en: "Your sessions" },
  thisDevice: { ja: "この端末", en: "This device" },
  endSession: { ja: "終了", en: "End" },
  since: { ja: "${time} から", en: "since ${time}" },
  acceptTitle: { ja: "講師のパスワードを設定", en: "Set your instructor password" },
  acceptButton: { ja: "設定する", en: "Set password" },
  acceptDone: { ja: "設定しました。メールアドレスと新しいパスワードでログインしてください。", en: "Done. Log in with your email and the new password." },
  acceptInvalid: { ja: "このリンクは使えません(使用済みか期限切れ)。組織管理者に新しいリンクを頼んでください。",
                   en: "This link does not work any more (used or expired). Ask an org admin for a new one." },
  goToLogin: { ja: "ログイン画面へ", en: "Go to login" },
  owners: { ja: "担当講師", en: "Owners" },
  addOwner: { ja: "共有", en: "Share" },
  ownerEmail: { ja: "共有する講師のメールアドレス", en: "Email of the instructor to share with" },
} as const;

export type AdminKey = keyof typeof ADMIN_STRINGS;

export function at(key: AdminKey, lang: Lang, vars?: Record<string, string | number>): string {
  const text: string = ADMIN_STRINGS[key][lang];
  return vars ? text.replace(/\$\{(\w+)\}/g, (_, name: string) => String(vars[name] ?? "")) : text;
}

/** An instructors' string in the current language. */
export function AT({ k, vars }: { k: AdminKey; vars?: Record<string, string | number> }) {
  return <Fragment>{at(k, useLang(), vars)}</Fragment>;
}

/** Instructors' wording of the BFF's error codes (the children's are in lib/errors.ts). */
const ADMIN_ERRORS: Partial<Record<ErrorCode, { ja: string; en: string }>> = {
  UNAUTHENTICATED: { ja: "ログインが切れました。もう一度ログインしてください。", en: "Your session ended. Please log in again." },
  FORBIDDEN: { ja: "この操作は許可されていません。", en: "This is not allowed." },
  NOT_FOUND: { ja: "見つかりません(削除された可能性があります)。", en: "Not found (it may have been deleted)." },
  BAD_USER_INPUT: { ja: "入力内容を確認してください。", en: "Please check what you entered." },
  FAILED_PRECONDITION: { ja: "今のフェーズではできません。", en: "Not possible in the current phase." },
  PAYLOAD_TOO_LARGE: { ja: "ファイルが大きすぎます。", en: "The file is too large." },
  UNSUPPORTED_MEDIA_TYPE: { ja: "画像ファイルではありません。", en: "That is not an image file." },
  RATE_LIMITED: { ja: "操作が速すぎます。少し待ってください。", en: "Too many requests; wait a moment." },
  UNAVAILABLE: { ja: "サーバーが混んでいます。少し待ってから再試行してください。", en: "The server is busy; try again shortly." },
  INTERNAL: { ja: "サーバーでエラーが起きました。再試行し、続く場合はログを確認してください。",
              en: "Something went wrong on the server. Try again; if it persists, check the logs." },
  CONFLICT: { ja: "他の操作と競合しました。再試行してください。", en: "Someone else changed this; try again." },
  GRAPHQL_VALIDATION_FAILED: { ja: "アプリが古いようです。ページを再読み込みしてください。", en: "The app is out of date; reload the page." },
  NETWORK: { ja: "サーバーに接続できません。ネットワークを確認してください。", en: "Cannot reach the server; check the network." },
};

export function adminError(code: string | undefined, lang: Lang): string {
  const entry = ADMIN_ERRORS[(code ?? "INTERNAL") as ErrorCode] ?? ADMIN_ERRORS.INTERNAL!;
  return entry[lang];
}
