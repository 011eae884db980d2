// "Play with your AI" operations: a friend's AI, the AI's reactions, what it learned and the
// reflection question (bff/schema/play.py; the names are in ARCHITECTURE.md).
import { graphql } from "../gql";
import type { ReflectionAnswer } from "../gql/graphql";
import { gql, gqlUpload, type ResultOf } from "./graphql";

export type { ReflectionAnswer } from "../gql/graphql";

/** The built-in sets (bff/play.py REACTION_EMOJIS / REACTION_SOUNDS: keep them in step). */
export const REACTION_EMOJIS = ["🎉", "⭐", "❤️", "😄", "😮", "👍", "🔥", "🌈", "🚀", "🐾", "🍀", "✨"] as const;
export const REACTION_SOUNDS = ["pop", "chime", "boing", "fanfare", "whistle", "drum"] as const;
export type ReactionSound = (typeof REACTION_SOUNDS)[number];
export const MAX_REACTION_WORDS = 40;

export const REFLECTION_ANSWERS: ReflectionAnswer[] = ["TOO_FEW_PHOTOS", "LOOK_ALIKE", "BACKGROUND"];

const FRIENDS = graphql(`query Friends { friends { id name emoji color } }`);
export type Friend = ResultOf<typeof FRIENDS>["friends"][number];

/** Other groups of the workshop whose AI we may try ([] while the instructors have it off). */
export async function loadFriends(): Promise<Friend[]> {
  const data = await gql(FRIENDS);
  return data.friends;
}

const PREDICT_WITH = graphql(`mutation PredictWith($file: Upload!, $groupId: ID) {
  predict(file: $file, groupId: $groupId) { label classId confidence groupId scores { classId label confidence }
    heatmap { width height values } reaction { emoji sound words } } }`);
export type PlayPrediction = NonNullable<ResultOf<typeof PREDICT_WITH>["predict"]>;
export type Reaction = NonNullable<PlayPrediction["reaction"]>;

/** Our photo to our AI (groupId null) or to a friend's AI. */
export function predictWith(blob: Blob, groupId: string | null, onProgress?: (f: number) => void): Promise<PlayPrediction> {
  return gqlUpload(PREDICT_WITH, { groupId }, { "variables.file": blob }, onProgress)
    .promise.then((d) => d.predict!);
}

const REACTIONS = graphql(`query Reactions { workshop { id classes { id reaction { emoji sound words } } } }`);
export type ClassWithReaction = NonNullable<ResultOf<typeof REACTIONS>["workshop"]>["classes"][number];

export async function loadReactions(): Promise<ClassWithReaction[]> {
  const data = await gql(REACTIONS);
  return data.workshop?.classes ?? [];
}

const SAVE_REACTION = graphql(`mutation React($classId: ID!, $emoji: String, $sound: String, $words: String) {
       setClassReaction(classId: $classId, emoji: $emoji, sound: $sound, words: $words) { emoji sound words } }`);

export async function saveReaction(classId: string, reaction: Reaction): Promise<Reaction | null> {
  const data = await gql(SAVE_REACTION, { classId, emoji: reaction.emoji, sound: reaction.sound, words: reaction.words });
  return data.setClassReaction;
}


/** Everything the "what my AI learned" card shows about one run (heatmaps: one ML prediction
 * per class on the server, so asked once per run). */
const LEARNED = graphql(`query Learned($id: ID!) { trainingRun(id: $id) { id status testAccuracy crossValidatedAccuracy reflection
       classConfidence { classId count sure accuracy }
       confusingPhotos { photoId classId predictedClassId confidence }
       classHeatmaps { classId photoId heatmapClassId heatmap { width height values } } } }`);
export type Learned = NonNullable<ResultOf<typeof LEARNED>["trainingRun"]>;
export type ClassHeatmap = NonNullable<Learned["classHeatmaps"]>[number];

export async function loadLearned(runId: string): Promise<Learned | null> {
  const data = await gql(LEARNED, { id: runId });
  return data.trainingRun;
}

const REFLECT = graphql(`mutation Reflect($runId: ID!, $answer: ReflectionAnswer!) { answerReflection(runId: $runId, answer: $answer) }`);

export async function answerReflection(runId: string, answer: ReflectionAnswer): Promise<ReflectionAnswer> {
  const data = await gql(REFLECT, { runId, answer });
  return data.answerReflection!;
}
