// Instructors' operations. Some admin extras land later in the BFF; queries that name a
// field the server does not have yet fail validation, and the UI falls back to less.
import type { Group, Phase, Photo, Workshop, WorkshopClass } from "../lib/api";
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
}
export interface GroupDetail {
  group: AdminGroup & { workshop?: AdminWorkshop | null }; photosPerClass: { classId: string; count: number }[]; runs: GroupRun[];
}

export const PHASES: Phase[] = ["SETUP", "COLLECT", "TRAIN", "COMPETE", "CLOSED"];

/** Run the first query the server understands (newer schema first). */
async function firstSupported<T>(queries: string[], variables: Record<string, unknown>): Promise<T> {
  let last: unknown;
  for (const query of queries) {
    try {
      return await gql<T>(query, variables);
    } catch (err) {
      if (!(err instanceof GraphQLRequestError) || err.code !== "GRAPHQL_VALIDATION_FAILED") throw err;
      last = err;
    }
  }
  throw last;
}

// Class names by id, so screens that only get ids (group detail) can still show names.
const classNames = new Map<string, WorkshopClass>();
export function rememberClasses(classes: WorkshopClass[] | undefined): void {
  classes?.forEach((c) => classNames.set(c.id, c));
}
export function knownClass(id: string): WorkshopClass | undefined {
  return classNames.get(id);
}

// Login URLs from createWorkshop, kept for the card page in case `workshop(id).groups`
// cannot give them (the tokens themselves are never stored by the BFF).
const CREATED_KEY = "pictolab.admin.created";
function rememberCreated(workshop: AdminWorkshop): void {
  try {
    const all = JSON.parse(sessionStorage.getItem(CREATED_KEY) ?? "{}") as Record<string, AdminWorkshop>;
    all[workshop.id] = workshop;
    sessionStorage.setItem(CREATED_KEY, JSON.stringify(all));
  } catch {
    /* storage unavailable: the cards come from the server only */
  }
}
function createdWorkshop(id: string): AdminWorkshop | undefined {
  try {
    return (JSON.parse(sessionStorage.getItem(CREATED_KEY) ?? "{}") as Record<string, AdminWorkshop>)[id];
  } catch {
    return undefined;
  }
}

export async function adminLogin(password: string): Promise<boolean> {
  const data = await gql<{ adminLogin: boolean }>(
    "mutation AdminLogin($password: String!) { adminLogin(password: $password) }", { password });
  return data.adminLogin;
}

export async function listWorkshops(): Promise<AdminWorkshop[]> {
  const data = await gql<{ workshops: AdminWorkshop[] }>("query Workshops { workshops { id title phase } }");
  return data.workshops;
}

const GROUP_FIELDS_FULL = "groups { id name emoji color loginUrl photoCount }";
const GROUP_FIELDS_URL = "groups { id name emoji color loginUrl }";
const GROUP_FIELDS_MIN = "groups { id name emoji color }";

export async function loadWorkshop(id: string): Promise<AdminWorkshop> {
  const shape = (groups: string) =>
    `query Workshop($id: ID) { workshop(id: $id) { id title phase classes { id name emoji } ${groups} } }`;
  const data = await firstSupported<{ workshop: AdminWorkshop | null }>(
    [shape(GROUP_FIELDS_FULL), shape(GROUP_FIELDS_URL), shape(GROUP_FIELDS_MIN), shape("")], { id });
  if (!data.workshop) throw new GraphQLRequestError("workshop not found", "NOT_FOUND");
  const workshop = data.workshop;
  rememberClasses(workshop.classes);
  const created = createdWorkshop(id);
  if (created?.groups) {
    const urls = new Map(created.groups.map((g) => [g.id, g.loginUrl]));
    workshop.groups = (workshop.groups ?? created.groups).map((g) => ({ ...g, loginUrl: g.loginUrl ?? urls.get(g.id) }));
  }
  return workshop;
}

export async function createWorkshop(title: string, classes: string[], groups: number): Promise<AdminWorkshop> {
  const shape = (fields: string) => `mutation Create($title: String!, $classes: [String!]!, $groups: Int!) {
    createWorkshop(title: $title, classes: $classes, groups: $groups) { id title phase classes { id name emoji } ${fields} } }`;
  const data = await firstSupported<{ createWorkshop: AdminWorkshop }>(
    [shape(GROUP_FIELDS_URL), shape(GROUP_FIELDS_MIN)], { title, classes, groups });
  rememberCreated(data.createWorkshop);
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
  // Newer BFFs let a group lead to its workshop: that gives the class names for the matrix.
  const shape = (groupFields: string) => `query GroupDetail($groupId: ID!) { groupDetail(groupId: $groupId) {
       group { ${groupFields} }
       photosPerClass { classId count }
       runs { id status mode testAccuracy labels confusion misclassified { photoId label predicted url } } } }`;
  const data = await firstSupported<{ groupDetail: (GroupDetail & { group: { workshop?: AdminWorkshop } }) | null }>(
    [shape("id name emoji color workshop { id title classes { id name emoji } }"), shape("id name emoji color")],
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

/** The BFF answers with counts of what it deleted (or, in older schemas, a Boolean). */
export async function purgeWorkshop(workshopId: string): Promise<unknown> {
  const shape = (fields: string) => `mutation Purge($workshopId: ID!) { purgeWorkshop(workshopId: $workshopId) ${fields} }`;
  const data = await firstSupported<{ purgeWorkshop: unknown }>(
    [shape("{ photos trainingRuns objects }"), shape("")], { workshopId });
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
