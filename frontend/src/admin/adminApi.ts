// Instructors' operations. The SPA and the BFF ship together, so each query has one shape.
import type { ClassConfidence, ConfusingPhoto, Group, Phase, Photo, Workshop, WorkshopClass } from "../lib/api";
import { gql, gqlUpload, GraphQLRequestError } from "../lib/graphql";

export interface AdminGroup extends Group { loginUrl?: string | null; photoCount?: number | null; token?: string | null }
export interface AdminWorkshop extends Workshop { groups?: AdminGroup[] | null }
export interface ExperimentRow {
  runId: string; group: { id: string; name: string }; mode: string; photoCount: number;
  testAccuracy: number | null; createdAt: string;
}
export interface Misclassified { photoId: string | null; label: string; predicted: string; url: string | null }
export interface GroupRun {
  id: string; status: string; mode: string; testAccuracy: number | null;
  labels: string[] | null; confusion: number[][] | null; misclassified: Misclassified[] | null;
  confusingPhotos?: ConfusingPhoto[] | null; classConfidence?: ClassConfidence[] | null;
}
export interface GroupDetail {
  group: AdminGroup & { workshop?: AdminWorkshop | null }; photosPerClass: { classId: string; count: number }[]; runs: GroupRun[];
}

export const PHASES: Phase[] = ["SETUP", "COLLECT", "TRAIN", "COMPETE", "CLOSED"];

// Class names by id, so screens that only get ids (group detail) can still show names.
const classNames = new Map<string, WorkshopClass>();
export function rememberClasses(classes: WorkshopClass[] | undefined): void {
  classes?.forEach((c) => classNames.set(c.id, c));
}
export function knownClass(id: string): WorkshopClass | undefined {
  return classNames.get(id);
}

/** No email (empty): the first org admin, whose password `pictolab up` prints. */
export async function adminLogin(password: string, email?: string): Promise<boolean> {
  const data = await gql<{ adminLogin: boolean }>(
    "mutation AdminLogin($email: String, $password: String!) { adminLogin(email: $email, password: $password) }",
    { password, email: email?.trim() ? email.trim() : null });
  return data.adminLogin;
}

export async function logoutAdmin(): Promise<void> {
  await gql("mutation Logout { logout }");
}

export interface InstructorInfo { id: string; email: string; isOrgAdmin: boolean; locked: boolean; hasPassword: boolean; createdAt?: string }
export interface AdminSessionInfo { id: string; createdAt: string; userAgent: string | null; current: boolean }

/** Who is signed in on this device (null: nobody). Asking also gets this browser its
 * device id, which its sign-in attempts are counted by. */
export async function whoAmI(): Promise<InstructorInfo | null> {
  const data = await gql<{ isAdmin: boolean; currentInstructor: InstructorInfo | null }>(
    "query WhoAmI { isAdmin currentInstructor { id email isOrgAdmin locked hasPassword } }");
  return data.isAdmin ? data.currentInstructor : null;
}

export async function listInstructors(): Promise<InstructorInfo[]> {
  const data = await gql<{ instructors: InstructorInfo[] }>(
    "query Instructors { instructors { id email isOrgAdmin locked hasPassword createdAt } }");
  return data.instructors;
}

/** A one-time URL (72 h) for the invitee to set a password. */
export async function inviteInstructor(email: string, orgAdmin = false): Promise<string> {
  const data = await gql<{ inviteInstructor: string }>(
    "mutation Invite($email: String!, $orgAdmin: Boolean) { inviteInstructor(email: $email, orgAdmin: $orgAdmin) }",
    { email, orgAdmin });
  return data.inviteInstructor;
}

export async function unlockInstructor(email: string): Promise<void> {
  await gql("mutation Unlock($email: String!) { unlockInstructor(email: $email) { id locked } }", { email });
}

/** A one-time URL (72 h) where the instructor sets a new password; unlocks the account too. */
export async function resetInstructorPassword(email: string): Promise<string> {
  const data = await gql<{ resetInstructorPassword: string }>(
    "mutation Reset($email: String!) { resetInstructorPassword(email: $email) }", { email });
  return data.resetInstructorPassword;
}

export async function acceptInvite(token: string, password: string): Promise<boolean> {
  const data = await gql<{ acceptInvite: boolean }>(
    "mutation Accept($token: String!, $password: String!) { acceptInvite(token: $token, password: $password) }",
    { token, password });
  return data.acceptInvite;
}

export async function changePassword(currentPassword: string, newPassword: string): Promise<boolean> {
  const data = await gql<{ changePassword: boolean }>(
    `mutation ChangePassword($currentPassword: String!, $newPassword: String!) {
       changePassword(currentPassword: $currentPassword, newPassword: $newPassword) }`,
    { currentPassword, newPassword });
  return data.changePassword;
}

export async function listAdminSessions(): Promise<AdminSessionInfo[]> {
  const data = await gql<{ adminSessions: AdminSessionInfo[] }>(
    "query Sessions { adminSessions { id createdAt userAgent current } }");
  return data.adminSessions;
}

export async function endAdminSession(id: string): Promise<void> {
  await gql("mutation EndSession($id: ID!) { endAdminSession(id: $id) }", { id });
}

export async function addWorkshopOwner(workshopId: string, email: string): Promise<string[]> {
  const data = await gql<{ addWorkshopOwner: { owners: string[] } | null }>(
    "mutation AddOwner($workshopId: ID!, $email: String!) { addWorkshopOwner(workshopId: $workshopId, email: $email) { id owners } }",
    { workshopId, email });
  return data.addWorkshopOwner?.owners ?? [];
}

export async function workshopOwners(workshopId: string): Promise<string[]> {
  const data = await gql<{ workshop: { owners: string[] } | null }>(
    "query Owners($id: ID) { workshop(id: $id) { id owners } }", { id: workshopId });
  return data.workshop?.owners ?? [];
}

export async function listWorkshops(): Promise<AdminWorkshop[]> {
  const data = await gql<{ workshops: AdminWorkshop[] }>("query Workshops { workshops { id title phase } }");
  return data.workshops;
}

const WORKSHOP_FIELDS = "id title phase minPhotosPerClass scoresHidden classes { id name emoji } groups { id name emoji color number loginUrl photoCount }";

export async function loadWorkshop(id: string): Promise<AdminWorkshop> {
  const data = await gql<{ workshop: AdminWorkshop | null }>(
    `query Workshop($id: ID) { workshop(id: $id) { ${WORKSHOP_FIELDS} } }`, { id });
  if (!data.workshop) throw new GraphQLRequestError("workshop not found", "NOT_FOUND");
  rememberClasses(data.workshop.classes);
  return data.workshop;
}

/** `emojis`: one per class, in order ("" lets the BFF choose one that fits the name). */
export async function createWorkshop(title: string, classes: string[], groups: number, emojis?: string[]): Promise<AdminWorkshop> {
  const data = await gql<{ createWorkshop: AdminWorkshop }>(
    `mutation Create($title: String!, $classes: [String!]!, $groups: Int!, $emojis: [String]) {
       createWorkshop(title: $title, classes: $classes, groups: $groups, emojis: $emojis) { ${WORKSHOP_FIELDS} } }`,
    { title, classes, groups, emojis: emojis ?? null });
  return data.createWorkshop;
}

export async function setPhase(workshopId: string, phase: Phase): Promise<Phase> {
  const data = await gql<{ setPhase: { phase: Phase } }>(
    "mutation SetPhase($workshopId: ID!, $phase: Phase!) { setPhase(workshopId: $workshopId, phase: $phase) { id phase } }",
    { workshopId, phase });
  return data.setPhase.phase;
}

export function uploadTestPhoto(classId: string, blob: Blob, onProgress?: (f: number) => void): Promise<Photo> {
  return gqlUpload<{ uploadTestPhoto: Photo }>(
    "mutation UploadTest($classId: ID!, $file: Upload!) { uploadTestPhoto(classId: $classId, file: $file) { id classId url } }",
    { classId }, { "variables.file": blob }, onProgress).promise.then((d) => d.uploadTestPhoto);
}

export async function experimentLog(workshopId: string): Promise<ExperimentRow[]> {
  const data = await gql<{ experimentLog: ExperimentRow[] }>(
    `query Log($workshopId: ID!) { experimentLog(workshopId: $workshopId) {
       runId group { id name } mode photoCount testAccuracy createdAt } }`, { workshopId });
  return data.experimentLog;
}

export async function groupDetail(groupId: string): Promise<GroupDetail> {
  // The group leads to its workshop: that gives the class names for the matrix.
  const data = await gql<{ groupDetail: GroupDetail | null }>(
    `query GroupDetail($groupId: ID!) { groupDetail(groupId: $groupId) {
       group { id name emoji color workshop { id title classes { id name emoji } } }
       photosPerClass { classId count }
       runs { id status mode testAccuracy labels confusion misclassified { photoId label predicted url }
              confusingPhotos { photoId classId predictedClassId confidence }
              classConfidence { classId count sure accuracy } } } }`,
    { groupId });
  if (!data.groupDetail) throw new GraphQLRequestError("group not found", "NOT_FOUND");
  rememberClasses(data.groupDetail.group.workshop?.classes);
  return data.groupDetail;
}

export async function adminPhotos(workshopId: string, groupId?: string, classId?: string): Promise<Photo[]> {
  const data = await gql<{ adminPhotos: Photo[] }>(
    `query AdminPhotos($workshopId: ID!, $groupId: ID, $classId: ID) {
       adminPhotos(workshopId: $workshopId, groupId: $groupId, classId: $classId) { id classId url } }`,
    { workshopId, groupId: groupId || null, classId: classId || null });
  return data.adminPhotos;
}

export async function adminDeletePhoto(id: string): Promise<boolean> {
  const data = await gql<{ adminDeletePhoto: boolean }>("mutation Del($id: ID!) { adminDeletePhoto(id: $id) }", { id });
  return data.adminDeletePhoto;
}

export interface PurgeResult { photos: number; trainingRuns: number; objects: number }

/** Counts of what the BFF deleted. */
export async function purgeWorkshop(workshopId: string): Promise<PurgeResult> {
  const data = await gql<{ purgeWorkshop: PurgeResult }>(
    "mutation Purge($workshopId: ID!) { purgeWorkshop(workshopId: $workshopId) { photos trainingRuns objects } }",
    { workshopId });
  return data.purgeWorkshop;
}

/** How many hidden test photos each class has. */
export async function testPhotoCounts(workshopId: string): Promise<Record<string, number>> {
  const data = await gql<{ testPhotos: { id: string; classId: string }[] }>(
    "query TestPhotos($workshopId: ID!) { testPhotos(workshopId: $workshopId) { id classId } }", { workshopId });
  const counts: Record<string, number> = {};
  for (const photo of data.testPhotos) counts[photo.classId] = (counts[photo.classId] ?? 0) + 1;
  return counts;
}
