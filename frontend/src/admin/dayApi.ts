// The instructors' operations for running the day (bff/schema/run_the_day.py): hidden
// scores, announcements, card reissue, the hidden test photos, the live per-group table.
import { graphql } from "../gql";
import type { DayFieldsFragment } from "../gql/graphql";
import { gql, type ResultOf } from "../lib/graphql";

const ACTIVITY_DOC = graphql(`query Activity($workshopId: ID!) { groupActivity(workshopId: $workshopId) {
       number group { id name emoji color } photoCount photosPerClass { classId count } trained bestScore
       latestStatus lastActivityAt idle stuck attention triesRight triesWrong } }`);
export type ActivityRow = ResultOf<typeof ACTIVITY_DOC>["groupActivity"][number];

export async function groupActivity(workshopId: string): Promise<ActivityRow[]> {
  const data = await gql(ACTIVITY_DOC, { workshopId });
  return data.groupActivity;
}

graphql(`fragment DayFields on Workshop { id phase scoresHidden announcement { message freeze at } }`);
export type DayState = DayFieldsFragment;

const DAY_DOC = graphql(`query Day($id: ID) { workshop(id: $id) { ...DayFields } }`);

export async function loadDayState(workshopId: string): Promise<DayState> {
  const data = await gql(DAY_DOC, { id: workshopId });
  return data.workshop!;
}

const HIDE_DOC = graphql(`mutation Hide($workshopId: ID!, $hidden: Boolean!) { setScoresHidden(workshopId: $workshopId, hidden: $hidden) { ...DayFields } }`);

export async function setScoresHidden(workshopId: string, hidden: boolean): Promise<DayState> {
  const data = await gql(HIDE_DOC, { workshopId, hidden });
  return data.setScoresHidden!;
}

const ANNOUNCE_DOC = graphql(`mutation Announce($workshopId: ID!, $message: String, $freeze: Boolean) {
       announce(workshopId: $workshopId, message: $message, freeze: $freeze) { ...DayFields } }`);

/** null message: lift the announcement. */
export async function announce(workshopId: string, message: string | null, freeze: boolean): Promise<DayState> {
  const data = await gql(ANNOUNCE_DOC, { workshopId, message, freeze });
  return data.announce!;
}

const REISSUE_DOC = graphql(`mutation Reissue($groupId: ID!) { reissueCard(groupId: $groupId) }`);

/** A new login URL for the group; its old card stops working at once. */
export async function reissueCard(groupId: string): Promise<string> {
  const data = await gql(REISSUE_DOC, { groupId });
  return data.reissueCard;
}

const TEST_PHOTO_LIST_DOC = graphql(`query TestPhotoList($workshopId: ID!) { testPhotos(workshopId: $workshopId) { id classId url } }`);
export type TestPhoto = ResultOf<typeof TEST_PHOTO_LIST_DOC>["testPhotos"][number];

export async function listTestPhotos(workshopId: string): Promise<TestPhoto[]> {
  const data = await gql(TEST_PHOTO_LIST_DOC, { workshopId });
  return data.testPhotos;
}

const DELETE_TEST_DOC = graphql(`mutation DeleteTest($id: ID!) { deleteTestPhoto(id: $id) }`);

export async function deleteTestPhoto(id: string): Promise<boolean> {
  const data = await gql(DELETE_TEST_DOC, { id });
  return data.deleteTestPhoto!;
}

const TRY_LOG_DOC = graphql(`query TryLog($workshopId: ID!) { tryLog(workshopId: $workshopId) { classId right wrong } }`);
export type TryLogRow = ResultOf<typeof TRY_LOG_DOC>["tryLog"][number];

/** The children's "was it right?" answers, per class the AI named. */
export async function tryLog(workshopId: string): Promise<TryLogRow[]> {
  const data = await gql(TRY_LOG_DOC, { workshopId });
  return data.tryLog;
}

const LAST_TRY_DOC = graphql(`query LastTry($groupId: ID!) { lastTry(groupId: $groupId) {
       group { id } photoUrl classId label confidence heatmap { width height values } at } }`);
export type LastTry = NonNullable<ResultOf<typeof LAST_TRY_DOC>["lastTry"]>;

/** The group's latest try (the photo as a data: URL, the answer, the heatmap); null: none. */
export async function lastTry(groupId: string): Promise<LastTry | null> {
  const data = await gql(LAST_TRY_DOC, { groupId });
  return data.lastTry ?? null;
}
