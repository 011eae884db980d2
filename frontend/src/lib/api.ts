// The BFF operations the children's app uses (names fixed by ARCHITECTURE.md).
import { gql, gqlUpload, type UploadHandle } from "./graphql";
import type { Heatmap } from "./heatmap";
import type { UploadedPhoto } from "./uploadQueue";

export interface Group { id: string; name: string; emoji?: string | null; color?: string | null; number?: number | null }
export interface WorkshopClass { id: string; name: string; emoji?: string | null }
export type Phase = "SETUP" | "COLLECT" | "TRAIN" | "COMPETE" | "CLOSED";
export interface Workshop {
  id: string; title: string; phase: Phase; classes: WorkshopClass[];
  /** Photos each class needs before training: the BFF's setting (PICTOLAB_MIN_PHOTOS_PER_CLASS). */
  minPhotosPerClass: number;
  /** While true no score reaches the group (the instructors reveal them later). */
  scoresHidden?: boolean;
  /** The instructors' message on every iPad; freeze: it covers the screen until lifted. */
  announcement?: Announcement | null;
}
export interface Announcement { message: string; freeze: boolean; at?: string | null }
/** hints: TOO_DARK, BLURRY, NEAR_DUPLICATE (computed shortly after the upload; [] until then). */
export interface Photo { id: string; classId: string; url: string; width?: number; height?: number; hints?: string[] }
export interface ConfusingPhoto { photoId: string; classId: string; predictedClassId: string; confidence: number }
export interface ClassConfidence { classId: string; count: number; sure: number | null; accuracy: number | null }
export interface ClassPairHint { classIds: string[]; code: string }
export type RunStatus = "QUEUED" | "RUNNING" | "SUCCEEDED" | "FAILED";
export interface TrainingRun {
  id: string; status: RunStatus; progress: number; trainAccuracy: number | null; testAccuracy: number | null;
  /** The secret test as counts ("10もん中 8もん"); null until scored or while scores are hidden. */
  testCorrect?: number | null; testTotal?: number | null;
  error?: string | null; errorCode?: string | null; mode?: string | null; createdAt?: string | null;
  /** null until the run succeeded; [] when nothing confuses the AI. */
  confusingPhotos?: ConfusingPhoto[] | null;
  classConfidence?: ClassConfidence[] | null;
}
export interface LabelScore { classId: string; label: string; confidence: number }
export interface Prediction {
  label: string; classId: string; confidence: number; scores: LabelScore[]; heatmap?: Heatmap | null;
}
export interface ScoreboardRow {
  rank: number; group: Group; testAccuracy: number | null; photoCount: number; status?: string | null;
}

const WORKSHOP_FIELDS = "id title phase minPhotosPerClass scoresHidden announcement { message freeze at } classes { id name emoji }";

const GROUP_FIELDS = "id name emoji color number";
const PHOTO_FIELDS = "id classId url width height hints";

export async function login(token: string): Promise<Group | null> {
  const data = await gql<{ login: Group | null }>(
    `mutation Login($token: String!) { login(token: $token) { ${GROUP_FIELDS} } }`, { token });
  return data.login;
}

export async function logout(): Promise<void> {
  await gql<{ logout: boolean }>("mutation { logout }");
}

export async function loadSession(): Promise<{ me: Group | null; workshop: Workshop | null }> {
  return gql<{ me: Group | null; workshop: Workshop | null }>(
    `query Session { me { ${GROUP_FIELDS} } workshop { ${WORKSHOP_FIELDS} } }`);
}

/** Who we are, our workshop and our photos in one round trip (venue Wi-Fi is slow). */
export async function loadSessionWithPhotos(): Promise<{ me: Group | null; workshop: Workshop | null; photos: Photo[] }> {
  return gql<{ me: Group | null; workshop: Workshop | null; photos: Photo[] }>(
    `query Start { me { ${GROUP_FIELDS} } workshop { ${WORKSHOP_FIELDS} }
                   photos { ${PHOTO_FIELDS} } }`);
}

export async function loadPhotos(classId?: string): Promise<Photo[]> {
  const data = await gql<{ photos: Photo[] }>(
    `query Photos($classId: ID) { photos(classId: $classId) { ${PHOTO_FIELDS} } }`,
    classId ? { classId } : {});
  return data.photos;
}

/** Put one of the group's photos in another class (one tap on the Train screen). */
export async function movePhoto(id: string, classId: string): Promise<Photo> {
  const data = await gql<{ movePhoto: Photo }>(
    `mutation Move($id: ID!, $classId: ID!) { movePhoto(id: $id, classId: $classId) { ${PHOTO_FIELDS} } }`,
    { id, classId });
  return data.movePhoto;
}

/** Pairs of the workshop's classes that look alike to the group's AI. */
export async function loadClassPairHints(): Promise<ClassPairHint[]> {
  const data = await gql<{ classPairHints: ClassPairHint[] }>("query Pairs { classPairHints { classIds code } }");
  return data.classPairHints;
}

export async function deletePhoto(id: string): Promise<boolean> {
  const data = await gql<{ deletePhoto: boolean }>("mutation Delete($id: ID!) { deletePhoto(id: $id) }", { id });
  return data.deletePhoto;
}

const UPLOAD_PHOTO = `mutation Upload($classId: ID!, $file: Upload!) {
  uploadPhoto(classId: $classId, file: $file) { id classId url width height } }`;

export function uploadPhoto(classId: string, blob: Blob, onProgress?: (f: number) => void): UploadHandle<UploadedPhoto> {
  const handle = gqlUpload<{ uploadPhoto: UploadedPhoto }>(UPLOAD_PHOTO, { classId }, { "variables.file": blob }, onProgress);
  return { promise: handle.promise.then((d) => d.uploadPhoto), abort: handle.abort };
}

const RUN_FIELDS = `id status progress trainAccuracy testAccuracy testCorrect testTotal error errorCode mode createdAt
  confusingPhotos { photoId classId predictedClassId confidence } classConfidence { classId count sure accuracy }`;

export async function startTraining(mode: "QUICK" | "DEEP" = "QUICK"): Promise<TrainingRun> {
  const data = await gql<{ train: TrainingRun }>(
    `mutation Train($mode: TrainingMode) { train(mode: $mode) { ${RUN_FIELDS} } }`, { mode });
  return data.train;
}

export async function loadTrainingRuns(): Promise<TrainingRun[]> {
  const data = await gql<{ trainingRuns: TrainingRun[] }>(`query Runs { trainingRuns { ${RUN_FIELDS} } }`);
  return data.trainingRuns;
}

/** Where the run's AI looks on one of its confusing photos, for the class it answers now
 * (classId: it trained with the photo, so not always predictedClassId); null heatmap when
 * it cannot be drawn. Asked only when a child taps the toggle: each is one ML prediction. */
export interface ConfusingHeatmap { heatmap: Heatmap | null; classId: string | null }

export async function loadConfusingHeatmap(runId: string, photoId: string): Promise<ConfusingHeatmap> {
  const data = await gql<{ trainingRun: { confusingPhotos: { heatmap: Heatmap | null; heatmapClassId: string | null }[] | null } | null }>(
    `query ConfusingHeatmap($run: ID!, $photo: ID) { trainingRun(id: $run) { id
       confusingPhotos(photoId: $photo) { photoId heatmapClassId heatmap { width height values } } } }`,
    { run: runId, photo: photoId });
  const item = data.trainingRun?.confusingPhotos?.[0];
  return { heatmap: item?.heatmap ?? null, classId: item?.heatmapClassId ?? null };
}

const PREDICT = `mutation Predict($file: Upload!) {
  predict(file: $file) { label classId confidence scores { classId label confidence }
                         heatmap { width height values } } }`;

export function predict(blob: Blob, onProgress?: (f: number) => void): Promise<Prediction> {
  return gqlUpload<{ predict: Prediction }>(PREDICT, {}, { "variables.file": blob }, onProgress)
    .promise.then((d) => d.predict);
}

export async function loadScoreboard(workshopId?: string): Promise<ScoreboardRow[]> {
  const data = await gql<{ scoreboard: ScoreboardRow[] }>(
    `query Scoreboard($workshopId: ID) { scoreboard(workshopId: $workshopId) {
       rank group { ${GROUP_FIELDS} } testAccuracy photoCount status } }`,
    workshopId ? { workshopId } : {});
  return data.scoreboard;
}

export function isActive(run: TrainingRun): boolean {
  return run.status === "QUEUED" || run.status === "RUNNING";
}

export function percent(value: number | null | undefined): string {
  return value == null ? "–" : `${Math.round(value * 100)}%`;
}

/** The group keeps a photo its AI doubts where it is: it is not flagged again. */
export async function keepPhoto(id: string): Promise<Photo> {
  const data = await gql<{ keepPhoto: Photo }>(
    `mutation Keep($id: ID!) { keepPhoto(id: $id) { ${PHOTO_FIELDS} } }`, { id });
  return data.keepPhoto;
}

/** "Was it right? ⭕ / ❌" after a try: the instructors' class log counts the answers. */
export async function answerTry(correct: boolean, classId: string | null): Promise<boolean> {
  const data = await gql<{ answerTry: boolean }>(
    "mutation Answer($correct: Boolean!, $classId: ID) { answerTry(correct: $correct, classId: $classId) }",
    { correct, classId });
  return data.answerTry;
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
