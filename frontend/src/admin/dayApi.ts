// The instructors' operations for running the day (bff/schema/run_the_day.py): hidden
// scores, announcements, card reissue, the hidden test photos, the live per-group table.
import type { Announcement, Photo } from "../lib/api";
import type { Heatmap } from "../lib/heatmap";
import { gql } from "../lib/graphql";

export interface ActivityRow {
  number: number;
  group: { id: string; name: string; emoji?: string | null; color?: string | null };
  photoCount: number;
  photosPerClass: { classId: string; count: number }[];
  trained: boolean;
  bestScore: number | null;
  latestStatus: string | null;
  lastActivityAt: string | null;
  idle: boolean;
  stuck: boolean;
  attention: boolean;
  triesRight: number;
  triesWrong: number;
}

export async function groupActivity(workshopId: string): Promise<ActivityRow[]> {
  const data = await gql<{ groupActivity: ActivityRow[] }>(
    `query Activity($workshopId: ID!) { groupActivity(workshopId: $workshopId) {
       number group { id name emoji color } photoCount photosPerClass { classId count } trained bestScore
       latestStatus lastActivityAt idle stuck attention triesRight triesWrong } }`, { workshopId });
  return data.groupActivity;
}

export interface DayState { id: string; phase: string; scoresHidden: boolean; announcement: Announcement | null }
const DAY_FIELDS = "id phase scoresHidden announcement { message freeze at }";

export async function loadDayState(workshopId: string): Promise<DayState> {
  const data = await gql<{ workshop: DayState }>(`query Day($id: ID) { workshop(id: $id) { ${DAY_FIELDS} } }`,
    { id: workshopId });
  return data.workshop;
}

export async function setScoresHidden(workshopId: string, hidden: boolean): Promise<DayState> {
  const data = await gql<{ setScoresHidden: DayState }>(
    `mutation Hide($workshopId: ID!, $hidden: Boolean!) { setScoresHidden(workshopId: $workshopId, hidden: $hidden) { ${DAY_FIELDS} } }`,
    { workshopId, hidden });
  return data.setScoresHidden;
}

/** null message: lift the announcement. */
export async function announce(workshopId: string, message: string | null, freeze: boolean): Promise<DayState> {
  const data = await gql<{ announce: DayState }>(
    `mutation Announce($workshopId: ID!, $message: String, $freeze: Boolean) {
       announce(workshopId: $workshopId, message: $message, freeze: $freeze) { ${DAY_FIELDS} } }`,
    { workshopId, message, freeze });
  return data.announce;
}

/** A new login URL for the group; its old card stops working at once. */
export async function reissueCard(groupId: string): Promise<string> {
  const data = await gql<{ reissueCard: string }>("mutation Reissue($groupId: ID!) { reissueCard(groupId: $groupId) }",
    { groupId });
  return data.reissueCard;
}

export async function listTestPhotos(workshopId: string): Promise<Photo[]> {
  const data = await gql<{ testPhotos: Photo[] }>(
    "query TestPhotoList($workshopId: ID!) { testPhotos(workshopId: $workshopId) { id classId url } }", { workshopId });
  return data.testPhotos;
}

export async function deleteTestPhoto(id: string): Promise<boolean> {
  const data = await gql<{ deleteTestPhoto: boolean }>("mutation DeleteTest($id: ID!) { deleteTestPhoto(id: $id) }", { id });
  return data.deleteTestPhoto;
}

export interface TryLogRow { classId: string | null; right: number; wrong: number }

/** The children's "was it right?" answers, per class the AI named. */
export async function tryLog(workshopId: string): Promise<TryLogRow[]> {
  const data = await gql<{ tryLog: TryLogRow[] }>(
    "query TryLog($workshopId: ID!) { tryLog(workshopId: $workshopId) { classId right wrong } }", { workshopId });
  return data.tryLog;
}

export interface LastTry {
  group: { id: string }; photoUrl: string; classId: string | null; label: string | null; confidence: number | null;
  heatmap: Heatmap | null; at: string | null;
}

/** The group's latest try (the photo as a data: URL, the answer, the heatmap); null: none. */
export async function lastTry(groupId: string): Promise<LastTry | null> {
  const data = await gql<{ lastTry: LastTry | null }>(
    `query LastTry($groupId: ID!) { lastTry(groupId: $groupId) {
       group { id } photoUrl classId label confidence heatmap { width height values } at } }`, { groupId });
  return data.lastTry;
}
