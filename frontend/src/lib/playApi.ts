// "Play with your AI" operations: a friend's AI, the AI's reactions, what it learned and the
// reflection question (bff/schema/play.py; the names are in ARCHITECTURE.md).
import type { ClassConfidence, ConfusingPhoto, Group, Prediction } from "./api";
import { gql, gqlUpload } from "./graphql";
import type { Heatmap } from "./heatmap";

export interface Reaction { emoji: string | null; sound: string | null; words: string | null }
export interface PlayPrediction extends Prediction { groupId: string; reaction: Reaction | null }

/** The built-in sets (bff/play.py REACTION_EMOJIS / REACTION_SOUNDS: keep them in step). */
export const REACTION_EMOJIS = ["🎉", "⭐", "❤️", "😄", "😮", "👍", "🔥", "🌈", "🚀", "🐾", "🍀", "✨"] as const;
export const REACTION_SOUNDS = ["pop", "chime", "boing", "fanfare", "whistle", "drum"] as const;
export type ReactionSound = (typeof REACTION_SOUNDS)[number];
export const MAX_REACTION_WORDS = 40;

export type ReflectionAnswer = "TOO_FEW_PHOTOS" | "LOOK_ALIKE" | "BACKGROUND";
export const REFLECTION_ANSWERS: ReflectionAnswer[] = ["TOO_FEW_PHOTOS", "LOOK_ALIKE", "BACKGROUND"];

/** Other groups of the workshop whose AI we may try ([] while the instructors have it off). */
export async function loadFriends(): Promise<Group[]> {
  const data = await gql<{ friends: Group[] }>("query Friends { friends { id name emoji color } }");
  return data.friends;
}

const PREDICT_WITH = `mutation PredictWith($file: Upload!, $groupId: ID) {
  predict(file: $file, groupId: $groupId) { label classId confidence groupId scores { classId label confidence }
    heatmap { width height values } reaction { emoji sound words } } }`;

/** Our photo to our AI (groupId null) or to a friend's AI. */
export function predictWith(blob: Blob, groupId: string | null, onProgress?: (f: number) => void): Promise<PlayPrediction> {
  return gqlUpload<{ predict: PlayPrediction }>(PREDICT_WITH, { groupId }, { "variables.file": blob }, onProgress)
    .promise.then((d) => d.predict);
}

export interface ClassWithReaction { id: string; reaction: Reaction | null }

export async function loadReactions(): Promise<ClassWithReaction[]> {
  const data = await gql<{ workshop: { classes: ClassWithReaction[] } | null }>(
    "query Reactions { workshop { id classes { id reaction { emoji sound words } } } }");
  return data.workshop?.classes ?? [];
}

export async function saveReaction(classId: string, reaction: Reaction): Promise<Reaction | null> {
  const data = await gql<{ setClassReaction: Reaction | null }>(
    `mutation React($classId: ID!, $emoji: String, $sound: String, $words: String) {
       setClassReaction(classId: $classId, emoji: $emoji, sound: $sound, words: $words) { emoji sound words } }`,
    { classId, emoji: reaction.emoji, sound: reaction.sound, words: reaction.words });
  return data.setClassReaction;
}

export interface ClassHeatmap { classId: string; photoId: string; heatmap: Heatmap | null; heatmapClassId: string | null }
export interface Learned {
  id: string; status: string; testAccuracy: number | null; crossValidatedAccuracy: number | null;
  reflection: ReflectionAnswer | null; classConfidence: ClassConfidence[] | null;
  confusingPhotos: ConfusingPhoto[] | null; classHeatmaps: ClassHeatmap[] | null;
}

/** Everything the "what my AI learned" card shows about one run (heatmaps: one ML prediction
 * per class on the server, so asked once per run). */
export async function loadLearned(runId: string): Promise<Learned | null> {
  const data = await gql<{ trainingRun: Learned | null }>(
    `query Learned($id: ID!) { trainingRun(id: $id) { id status testAccuracy crossValidatedAccuracy reflection
       classConfidence { classId count sure accuracy }
       confusingPhotos { photoId classId predictedClassId confidence }
       classHeatmaps { classId photoId heatmapClassId heatmap { width height values } } } }`, { id: runId });
  return data.trainingRun;
}

export async function answerReflection(runId: string, answer: ReflectionAnswer): Promise<ReflectionAnswer> {
  const data = await gql<{ answerReflection: ReflectionAnswer }>(
    "mutation Reflect($runId: ID!, $answer: ReflectionAnswer!) { answerReflection(runId: $runId, answer: $answer) }",
    { runId, answer });
  return data.answerReflection;
}
