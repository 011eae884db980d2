// The BFF operations the children's app uses (names fixed by ARCHITECTURE.md).
import { graphql } from "../gql";
import type {
  GroupFieldsFragment, PhotoFieldsFragment, PredictMutation, RunFieldsFragment, ScoreboardQuery, WorkshopFieldsFragment,
} from "../gql/graphql";
import { gql, gqlUpload, type ResultOf, type UploadHandle } from "./graphql";
import type { Heatmap } from "./heatmap";

// The answers' types are generated from the BFF's schema (src/gql, `npm run codegen`): a
// field the schema lacks fails `npm run typecheck`, not a child's iPad.
export type { Phase, RunStatus } from "../gql/graphql";

graphql(`fragment GroupFields on Group { id name emoji color number }`);
graphql(`fragment WorkshopFields on Workshop {
  id title phase minPhotosPerClass scoresHidden announcement { message freeze at } classes { id name emoji } }`);
graphql(`fragment PhotoFields on Photo { id classId url width height hints }`);
graphql(`fragment RunFields on TrainingRun {
  id status progress trainAccuracy testAccuracy testCorrect testTotal error errorCode mode createdAt
  confusingPhotos { photoId classId predictedClassId confidence } classConfidence { classId count sure accuracy } }`);

export type Group = GroupFieldsFragment;
/** minPhotosPerClass: photos each class needs before training (PICTOLAB_MIN_PHOTOS_PER_CLASS);
 * while scoresHidden no score reaches the group; announcement: the instructors' message on
 * every iPad (freeze: it covers the screen until lifted). */
export type Workshop = WorkshopFieldsFragment;
export type WorkshopClass = Workshop["classes"][number];
export type Announcement = NonNullable<Workshop["announcement"]>;
/** hints: TOO_DARK, BLURRY, NEAR_DUPLICATE (computed shortly after the upload; [] until then,
 * absent on a photo the upload queue just sent, whose answer does not ask for them). */
export type Photo = Omit<PhotoFieldsFragment, "hints"> & Partial<Pick<PhotoFieldsFragment, "hints">>;
/** testCorrect/testTotal: the secret test as counts ("10もん中 8もん"), null until scored or
 * while scores are hidden; confusingPhotos: null until the run succeeded, [] when nothing
 * confuses the AI. */
export type TrainingRun = RunFieldsFragment;
export type ConfusingPhoto = NonNullable<TrainingRun["confusingPhotos"]>[number];
export type ClassConfidence = NonNullable<TrainingRun["classConfidence"]>[number];
export type Prediction = NonNullable<PredictMutation["predict"]>;
export type LabelScore = Prediction["scores"][number];
export type ScoreboardRow = ScoreboardQuery["scoreboard"][number];

const LOGIN = graphql(`mutation Login($token: String!) { login(token: $token) { ...GroupFields } }`);

export async function login(token: string): Promise<Group | null> {
  const data = await gql(LOGIN, { token });
  return data.login;
}

const LOGOUT = graphql(`mutation Logout { logout }`);

export async function logout(): Promise<void> {
  await gql(LOGOUT);
}

const SESSION = graphql(`query Session { me { ...GroupFields } workshop { ...WorkshopFields } }`);

export async function loadSession(): Promise<{ me: Group | null; workshop: Workshop | null }> {
  return gql(SESSION);
}

const START = graphql(`query Start { me { ...GroupFields } workshop { ...WorkshopFields } photos { ...PhotoFields } }`);

/** Who we are, our workshop and our photos in one round trip (venue Wi-Fi is slow). */
export async function loadSessionWithPhotos(): Promise<{ me: Group | null; workshop: Workshop | null; photos: Photo[] }> {
  return gql(START);
}

const PHOTOS = graphql(`query Photos($classId: ID) { photos(classId: $classId) { ...PhotoFields } }`);

export async function loadPhotos(classId?: string): Promise<Photo[]> {
  const data = await gql(PHOTOS, classId ? { classId } : {});
  return data.photos;
}

const MOVE_PHOTO = graphql(`mutation Move($id: ID!, $classId: ID!) { movePhoto(id: $id, classId: $classId) { ...PhotoFields } }`);

/** Put one of the group's photos in another class (one tap on the Train screen). */
export async function movePhoto(id: string, classId: string): Promise<Photo> {
  const data = await gql(MOVE_PHOTO, { id, classId });
  return data.movePhoto!;
}

const PAIRS = graphql(`query Pairs { classPairHints { classIds code } }`);
export type ClassPairHint = ResultOf<typeof PAIRS>["classPairHints"][number];

/** Pairs of the workshop's classes that look alike to the group's AI. */
export async function loadClassPairHints(): Promise<ClassPairHint[]> {
  const data = await gql(PAIRS);
  return data.classPairHints;
}

const DELETE_PHOTO = graphql(`mutation Delete($id: ID!) { deletePhoto(id: $id) }`);

export async function deletePhoto(id: string): Promise<boolean> {
  const data = await gql(DELETE_PHOTO, { id });
  return data.deletePhoto!;
}

const UPLOAD_PHOTO = graphql(`mutation Upload($classId: ID!, $file: Upload!) {
  uploadPhoto(classId: $classId, file: $file) { id classId url width height } }`);
export type UploadedPhoto = NonNullable<ResultOf<typeof UPLOAD_PHOTO>["uploadPhoto"]>;

export function uploadPhoto(classId: string, blob: Blob, onProgress?: (f: number) => void): UploadHandle<UploadedPhoto> {
  const handle = gqlUpload(UPLOAD_PHOTO, { classId }, { "variables.file": blob }, onProgress);
  return { promise: handle.promise.then((d) => d.uploadPhoto!), abort: handle.abort };
}

const TRAIN = graphql(`mutation Train($mode: TrainingMode) { train(mode: $mode) { ...RunFields } }`);

export async function startTraining(mode: "QUICK" | "DEEP" = "QUICK"): Promise<TrainingRun> {
  const data = await gql(TRAIN, { mode });
  return data.train!;
}

const RUNS = graphql(`query Runs { trainingRuns { ...RunFields } }`);

export async function loadTrainingRuns(): Promise<TrainingRun[]> {
  const data = await gql(RUNS);
  return data.trainingRuns;
}

const CONFUSING_HEATMAP = graphql(`query ConfusingHeatmap($run: ID!, $photo: ID) { trainingRun(id: $run) { id
  confusingPhotos(photoId: $photo) { photoId heatmapClassId heatmap { width height values } } } }`);

/** Where the run's AI looks on one of its confusing photos, for the class it answers now
 * (classId: it trained with the photo, so not always predictedClassId); null heatmap when
 * it cannot be drawn. Asked only when a child taps the toggle: each is one ML prediction. */
export interface ConfusingHeatmap { heatmap: Heatmap | null; classId: string | null }

export async function loadConfusingHeatmap(runId: string, photoId: string): Promise<ConfusingHeatmap> {
  const data = await gql(CONFUSING_HEATMAP, { run: runId, photo: photoId });
  const item = data.trainingRun?.confusingPhotos?.[0];
  return { heatmap: item?.heatmap ?? null, classId: item?.heatmapClassId ?? null };
}

const PREDICT = graphql(`mutation Predict($file: Upload!) {
  predict(file: $file) { label classId confidence scores { classId label confidence }
                         heatmap { width height values } } }`);

export function predict(blob: Blob, onProgress?: (f: number) => void): Promise<Prediction> {
  return gqlUpload(PREDICT, {}, { "variables.file": blob }, onProgress)
    .promise.then((d) => d.predict!);
}

const SCOREBOARD = graphql(`query Scoreboard($workshopId: ID) { scoreboard(workshopId: $workshopId) {
  rank group { ...GroupFields } testAccuracy photoCount status } }`);

export async function loadScoreboard(workshopId?: string): Promise<ScoreboardRow[]> {
  const data = await gql(SCOREBOARD, workshopId ? { workshopId } : {});
  return data.scoreboard;
}

export function isActive(run: TrainingRun): boolean {
  return run.status === "QUEUED" || run.status === "RUNNING";
}

export function percent(value: number | null | undefined): string {
  return value == null ? "–" : `${Math.round(value * 100)}%`;
}

const KEEP_PHOTO = graphql(`mutation Keep($id: ID!) { keepPhoto(id: $id) { ...PhotoFields } }`);

/** The group keeps a photo its AI doubts where it is: it is not flagged again. */
export async function keepPhoto(id: string): Promise<Photo> {
  const data = await gql(KEEP_PHOTO, { id });
  return data.keepPhoto!;
}

const ANSWER_TRY = graphql(`mutation Answer($correct: Boolean!, $classId: ID) { answerTry(correct: $correct, classId: $classId) }`);

/** "Was it right? ⭕ / ❌" after a try: the instructors' class log counts the answers. */
export async function answerTry(correct: boolean, classId: string | null): Promise<boolean> {
  const data = await gql(ANSWER_TRY, { correct, classId });
  return data.answerTry!;
}

/** How sure, in words a 9-year-old reads (とても / まあまあ / すこし), never a percentage. */
export type SureWord = "sureVery" | "sureSomewhat" | "sureLittle";
export function sureWord(confidence: number | null | undefined): SureWord {
  const value = confidence ?? 0;
  if (value >= 0.8) return "sureVery";
  if (value >= 0.5) return "sureSomewhat";
  return "sureLittle";
}

/** Stars for the secret test: 0-5, one per fifth of the photos right (rounded down, so five
 * stars means nearly all right). */
export function stars(correct: number, total: number): number {
  if (!total) return 0;
  return Math.max(0, Math.min(5, Math.floor((correct / total) * 5 + 1e-9)));
}
