// Instructors' operations. The SPA and the BFF ship together, so each query has one shape.
import { graphql } from "../gql";
import type { AdminWorkshopFieldsFragment, GroupDetailQuery } from "../gql/graphql";
import type { Phase } from "../lib/api";
import type { ClassLike } from "../lib/classes";
import { gql, gqlUpload, GraphQLRequestError, type ResultOf } from "../lib/graphql";

// The answers' types are generated from the BFF's schema (src/gql, `npm run codegen`).
export type AdminWorkshop = AdminWorkshopFieldsFragment;
export type AdminGroup = AdminWorkshop["groups"][number];
export type GroupDetail = NonNullable<GroupDetailQuery["groupDetail"]>;
export type GroupRun = GroupDetail["runs"][number];
export type Misclassified = NonNullable<GroupRun["misclassified"]>[number];

export const PHASES: Phase[] = ["SETUP", "COLLECT", "TRAIN", "COMPETE", "CLOSED"];

// Class names by id, so screens that only get ids (group detail) can still show names.
const classNames = new Map<string, ClassLike & { id: string }>();
export function rememberClasses(classes: (ClassLike & { id: string })[] | undefined): void {
  classes?.forEach((c) => classNames.set(c.id, c));
}
export function knownClass(id: string): ClassLike | undefined {
  return classNames.get(id);
}

const ADMIN_LOGIN_DOC = graphql(`mutation AdminLogin($email: String, $password: String!) { adminLogin(email: $email, password: $password) }`);

/** No email (empty): the first org admin, whose password `pictolab up` prints. */
export async function adminLogin(password: string, email?: string): Promise<boolean> {
  const data = await gql(ADMIN_LOGIN_DOC, { password, email: email?.trim() ? email.trim() : null });
  return data.adminLogin!;
}

const LOGOUT_DOC = graphql(`mutation Logout { logout }`);

export async function logoutAdmin(): Promise<void> {
  await gql(LOGOUT_DOC);
}


const WHO_AM_I_DOC = graphql(`query WhoAmI { isAdmin currentInstructor { id email isOrgAdmin locked hasPassword } }`);
export type SignedInInstructor = NonNullable<ResultOf<typeof WHO_AM_I_DOC>["currentInstructor"]>;

/** Who is signed in on this device (null: nobody). Asking also gets this browser its
 * device id, which its sign-in attempts are counted by. */
export async function whoAmI(): Promise<SignedInInstructor | null> {
  const data = await gql(WHO_AM_I_DOC);
  return data.isAdmin ? data.currentInstructor : null;
}

const INSTRUCTORS_DOC = graphql(`query Instructors { instructors { id email isOrgAdmin locked hasPassword createdAt } }`);
export type InstructorInfo = ResultOf<typeof INSTRUCTORS_DOC>["instructors"][number];

export async function listInstructors(): Promise<InstructorInfo[]> {
  const data = await gql(INSTRUCTORS_DOC);
  return data.instructors;
}

const INVITE_DOC = graphql(`mutation Invite($email: String!, $orgAdmin: Boolean) { inviteInstructor(email: $email, orgAdmin: $orgAdmin) }`);

/** A one-time URL (72 h) for the invitee to set a password. */
export async function inviteInstructor(email: string, orgAdmin = false): Promise<string> {
  const data = await gql(INVITE_DOC, { email, orgAdmin });
  return data.inviteInstructor;
}

const UNLOCK_DOC = graphql(`mutation Unlock($email: String!) { unlockInstructor(email: $email) { id locked } }`);

export async function unlockInstructor(email: string): Promise<void> {
  await gql(UNLOCK_DOC, { email });
}

const RESET_DOC = graphql(`mutation Reset($email: String!) { resetInstructorPassword(email: $email) }`);

/** A one-time URL (72 h) where the instructor sets a new password; unlocks the account too. */
export async function resetInstructorPassword(email: string): Promise<string> {
  const data = await gql(RESET_DOC, { email });
  return data.resetInstructorPassword;
}

const ACCEPT_DOC = graphql(`mutation Accept($token: String!, $password: String!) { acceptInvite(token: $token, password: $password) }`);

export async function acceptInvite(token: string, password: string): Promise<boolean> {
  const data = await gql(ACCEPT_DOC, { token, password });
  return data.acceptInvite!;
}

const CHANGE_PASSWORD_DOC = graphql(`mutation ChangePassword($currentPassword: String!, $newPassword: String!) {
       changePassword(currentPassword: $currentPassword, newPassword: $newPassword) }`);

export async function changePassword(currentPassword: string, newPassword: string): Promise<boolean> {
  const data = await gql(CHANGE_PASSWORD_DOC, { currentPassword, newPassword });
  return data.changePassword!;
}

const SESSIONS_DOC = graphql(`query Sessions { adminSessions { id createdAt userAgent current } }`);
export type AdminSessionInfo = ResultOf<typeof SESSIONS_DOC>["adminSessions"][number];

export async function listAdminSessions(): Promise<AdminSessionInfo[]> {
  const data = await gql(SESSIONS_DOC);
  return data.adminSessions;
}

const END_SESSION_DOC = graphql(`mutation EndSession($id: ID!) { endAdminSession(id: $id) }`);

export async function endAdminSession(id: string): Promise<void> {
  await gql(END_SESSION_DOC, { id });
}

const ADD_OWNER_DOC = graphql(`mutation AddOwner($workshopId: ID!, $email: String!) { addWorkshopOwner(workshopId: $workshopId, email: $email) { id owners } }`);

export async function addWorkshopOwner(workshopId: string, email: string): Promise<string[]> {
  const data = await gql(ADD_OWNER_DOC, { workshopId, email });
  return data.addWorkshopOwner?.owners ?? [];
}

const OWNERS_DOC = graphql(`query Owners($id: ID) { workshop(id: $id) { id owners } }`);

export async function workshopOwners(workshopId: string): Promise<string[]> {
  const data = await gql(OWNERS_DOC, { id: workshopId });
  return data.workshop?.owners ?? [];
}

const WORKSHOPS_DOC = graphql(`query Workshops { workshops { id title phase } }`);
export type WorkshopSummary = ResultOf<typeof WORKSHOPS_DOC>["workshops"][number];

export async function listWorkshops(): Promise<WorkshopSummary[]> {
  const data = await gql(WORKSHOPS_DOC);
  return data.workshops;
}

graphql(`fragment AdminWorkshopFields on Workshop {
  id title phase minPhotosPerClass scoresHidden classes { id name emoji } groups { id name emoji color number loginUrl photoCount } }`);

const WORKSHOP_DOC = graphql(`query Workshop($id: ID) { workshop(id: $id) { ...AdminWorkshopFields } }`);

export async function loadWorkshop(id: string): Promise<AdminWorkshop> {
  const data = await gql(WORKSHOP_DOC, { id });
  if (!data.workshop) throw new GraphQLRequestError("workshop not found", "NOT_FOUND");
  rememberClasses(data.workshop.classes);
  return data.workshop;
}

const CREATE_DOC = graphql(`mutation Create($title: String!, $classes: [String!]!, $groups: Int!, $emojis: [String]) {
       createWorkshop(title: $title, classes: $classes, groups: $groups, emojis: $emojis) { ...AdminWorkshopFields } }`);

/** `emojis`: one per class, in order ("" lets the BFF choose one that fits the name). */
export async function createWorkshop(title: string, classes: string[], groups: number, emojis?: string[]): Promise<AdminWorkshop> {
  const data = await gql(CREATE_DOC, { title, classes, groups, emojis: emojis ?? null });
  return data.createWorkshop;
}

const SET_PHASE_DOC = graphql(`mutation SetPhase($workshopId: ID!, $phase: Phase!) { setPhase(workshopId: $workshopId, phase: $phase) { id phase } }`);

export async function setPhase(workshopId: string, phase: Phase): Promise<Phase> {
  const data = await gql(SET_PHASE_DOC, { workshopId, phase });
  return data.setPhase!.phase;
}

const UPLOAD_TEST_DOC = graphql(`mutation UploadTest($classId: ID!, $file: Upload!) { uploadTestPhoto(classId: $classId, file: $file) { id classId url } }`);
export type UploadedTestPhoto = NonNullable<ResultOf<typeof UPLOAD_TEST_DOC>["uploadTestPhoto"]>;

export function uploadTestPhoto(classId: string, blob: Blob, onProgress?: (f: number) => void): Promise<UploadedTestPhoto> {
  return gqlUpload(UPLOAD_TEST_DOC, { classId }, { "variables.file": blob }, onProgress).promise.then((d) => d.uploadTestPhoto!);
}

const LOG_DOC = graphql(`query Log($workshopId: ID!) { experimentLog(workshopId: $workshopId) {
       runId group { id name } mode photoCount testAccuracy createdAt } }`);
export type ExperimentRow = ResultOf<typeof LOG_DOC>["experimentLog"][number];

export async function experimentLog(workshopId: string): Promise<ExperimentRow[]> {
  const data = await gql(LOG_DOC, { workshopId });
  return data.experimentLog;
}

const GROUP_DETAIL_DOC = graphql(`query GroupDetail($groupId: ID!) { groupDetail(groupId: $groupId) {
       group { id name emoji color workshop { id title classes { id name emoji } } }
       photosPerClass { classId count }
       runs { id status mode testAccuracy labels confusion misclassified { photoId label predicted url }
              confusingPhotos { photoId classId predictedClassId confidence }
              classConfidence { classId count sure accuracy } } } }`);

export async function groupDetail(groupId: string): Promise<GroupDetail> {
  // The group leads to its workshop: that gives the class names for the matrix.
  const data = await gql(GROUP_DETAIL_DOC, { groupId });
  if (!data.groupDetail) throw new GraphQLRequestError("group not found", "NOT_FOUND");
  rememberClasses(data.groupDetail.group.workshop?.classes);
  return data.groupDetail;
}

const ADMIN_PHOTOS_DOC = graphql(`query AdminPhotos($workshopId: ID!, $groupId: ID, $classId: ID) {
       adminPhotos(workshopId: $workshopId, groupId: $groupId, classId: $classId) { id classId url } }`);
export type AdminPhoto = ResultOf<typeof ADMIN_PHOTOS_DOC>["adminPhotos"][number];

export async function adminPhotos(workshopId: string, groupId?: string, classId?: string): Promise<AdminPhoto[]> {
  const data = await gql(ADMIN_PHOTOS_DOC, { workshopId, groupId: groupId || null, classId: classId || null });
  return data.adminPhotos;
}

const DEL_DOC = graphql(`mutation Del($id: ID!) { adminDeletePhoto(id: $id) }`);

export async function adminDeletePhoto(id: string): Promise<boolean> {
  const data = await gql(DEL_DOC, { id });
  return data.adminDeletePhoto!;
}

const PURGE_DOC = graphql(`mutation Purge($workshopId: ID!) { purgeWorkshop(workshopId: $workshopId) { photos trainingRuns objects } }`);
export type PurgeResult = NonNullable<ResultOf<typeof PURGE_DOC>["purgeWorkshop"]>;

/** Counts of what the BFF deleted. */
export async function purgeWorkshop(workshopId: string): Promise<PurgeResult> {
  const data = await gql(PURGE_DOC, { workshopId });
  return data.purgeWorkshop;
}

const TEST_PHOTOS_DOC = graphql(`query TestPhotos($workshopId: ID!) { testPhotos(workshopId: $workshopId) { id classId } }`);

/** How many hidden test photos each class has. */
export async function testPhotoCounts(workshopId: string): Promise<Record<string, number>> {
  const data = await gql(TEST_PHOTOS_DOC, { workshopId });
  const counts: Record<string, number> = {};
  for (const photo of data.testPhotos) counts[photo.classId] = (counts[photo.classId] ?? 0) + 1;
  return counts;
}
