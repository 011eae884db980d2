/* eslint-disable */
/** Internal type. DO NOT USE DIRECTLY. */
type Exact<T extends { [key: string]: unknown }> = { [K in keyof T]: T[K] };
/** Internal type. DO NOT USE DIRECTLY. */
export type Incremental<T> = T | { [P in keyof T]?: P extends ' $fragmentName' | '__typename' ? T[P] : never };
import type { DocumentTypeDecoration } from '@graphql-typed-document-node/core';
/** Workshop phases, in order */
export type Phase =
  | 'CLOSED'
  | 'COLLECT'
  | 'COMPETE'
  | 'SETUP'
  | 'TRAIN';

/** Why the AI got it wrong: too few photos, the classes look alike, the background */
export type ReflectionAnswer =
  | 'BACKGROUND'
  | 'LOOK_ALIKE'
  | 'TOO_FEW_PHOTOS';

/** An enumeration. */
export type RunStatus =
  | 'FAILED'
  | 'QUEUED'
  | 'RUNNING'
  | 'SUCCEEDED';

/** QUICK: seconds; DEEP: fine-tuning */
export type TrainingMode =
  | 'DEEP'
  | 'QUICK';

export type NetworksQueryVariables = Exact<{
  id?: string | null | undefined;
}>;


export type NetworksQuery = { myNetwork: string | null, workshop: { allowedNetworks: Array<string> } | null };

export type SetNetworksMutationVariables = Exact<{
  id: string;
  cidrs: Array<string> | string;
}>;


export type SetNetworksMutation = { setAllowedNetworks: { allowedNetworks: Array<string> } | null };

export type PlayQueryVariables = Exact<{
  id: string;
}>;


export type PlayQuery = { workshop: { id: string, friendsAIs: boolean } | null, reflectionTally: Array<{ answer: ReflectionAnswer, count: number, groups: number }> };

export type SetFriendsAIsMutationVariables = Exact<{
  id: string;
  on: boolean;
}>;


export type SetFriendsAIsMutation = { setFriendsAIs: { id: string, friendsAIs: boolean } | null };

export type TakeHomeRunsQueryVariables = Exact<{
  groupId: string;
}>;


export type TakeHomeRunsQuery = { groupDetail: { runs: Array<{ id: string, status: RunStatus, testAccuracy: number | null, finishedAt: string | null, exportUrl: string | null }> } | null };

export type AdminLoginMutationVariables = Exact<{
  email?: string | null | undefined;
  password: string;
}>;


export type AdminLoginMutation = { adminLogin: boolean | null };

export type LogoutMutationVariables = Exact<{ [key: string]: never; }>;


export type LogoutMutation = { logout: boolean | null };

export type WhoAmIQueryVariables = Exact<{ [key: string]: never; }>;


export type WhoAmIQuery = { isAdmin: boolean, currentInstructor: { id: string, email: string, isOrgAdmin: boolean, locked: boolean, hasPassword: boolean } | null };

export type InstructorsQueryVariables = Exact<{ [key: string]: never; }>;


export type InstructorsQuery = { instructors: Array<{ id: string, email: string, isOrgAdmin: boolean, locked: boolean, hasPassword: boolean, createdAt: string }> };

export type InviteMutationVariables = Exact<{
  email: string;
  orgAdmin?: boolean | null | undefined;
}>;


export type InviteMutation = { inviteInstructor: string };

export type UnlockMutationVariables = Exact<{
  email: string;
}>;


export type UnlockMutation = { unlockInstructor: { id: string, locked: boolean } | null };

export type ResetMutationVariables = Exact<{
  email: string;
}>;


export type ResetMutation = { resetInstructorPassword: string };

export type AcceptMutationVariables = Exact<{
  token: string;
  password: string;
}>;


export type AcceptMutation = { acceptInvite: boolean | null };

export type ChangePasswordMutationVariables = Exact<{
  currentPassword: string;
  newPassword: string;
}>;


export type ChangePasswordMutation = { changePassword: boolean | null };

export type SessionsQueryVariables = Exact<{ [key: string]: never; }>;


export type SessionsQuery = { adminSessions: Array<{ id: string, createdAt: string, userAgent: string | null, current: boolean }> };

export type EndSessionMutationVariables = Exact<{
  id: string;
}>;


export type EndSessionMutation = { endAdminSession: boolean | null };

export type AddOwnerMutationVariables = Exact<{
  workshopId: string;
  email: string;
}>;


export type AddOwnerMutation = { addWorkshopOwner: { id: string, owners: Array<string> } | null };

export type OwnersQueryVariables = Exact<{
  id?: string | null | undefined;
}>;


export type OwnersQuery = { workshop: { id: string, owners: Array<string> } | null };

export type WorkshopsQueryVariables = Exact<{ [key: string]: never; }>;


export type WorkshopsQuery = { workshops: Array<{ id: string, title: string, phase: Phase }> };

export type AdminWorkshopFieldsFragment = { id: string, title: string, phase: Phase, minPhotosPerClass: number, scoresHidden: boolean, classes: Array<{ id: string, name: string, emoji: string }>, groups: Array<{ id: string, name: string, emoji: string, color: string, number: number, loginUrl: string | null, photoCount: number | null }> };

export type WorkshopQueryVariables = Exact<{
  id?: string | null | undefined;
}>;


export type WorkshopQuery = { workshop: { id: string, title: string, phase: Phase, minPhotosPerClass: number, scoresHidden: boolean, classes: Array<{ id: string, name: string, emoji: string }>, groups: Array<{ id: string, name: string, emoji: string, color: string, number: number, loginUrl: string | null, photoCount: number | null }> } | null };

export type CreateMutationVariables = Exact<{
  title: string;
  classes: Array<string> | string;
  groups: number;
  emojis?: Array<string | null | undefined> | string | null | undefined;
}>;


export type CreateMutation = { createWorkshop: { id: string, title: string, phase: Phase, minPhotosPerClass: number, scoresHidden: boolean, classes: Array<{ id: string, name: string, emoji: string }>, groups: Array<{ id: string, name: string, emoji: string, color: string, number: number, loginUrl: string | null, photoCount: number | null }> } };

export type SetPhaseMutationVariables = Exact<{
  workshopId: string;
  phase: Phase;
}>;


export type SetPhaseMutation = { setPhase: { id: string, phase: Phase } | null };

export type UploadTestMutationVariables = Exact<{
  classId: string;
  file: Blob;
}>;


export type UploadTestMutation = { uploadTestPhoto: { id: string, classId: string, url: string } | null };

export type LogQueryVariables = Exact<{
  workshopId: string;
}>;


export type LogQuery = { experimentLog: Array<{ runId: string, mode: TrainingMode, photoCount: number, testAccuracy: number | null, createdAt: string, group: { id: string, name: string } }> };

export type GroupDetailQueryVariables = Exact<{
  groupId: string;
}>;


export type GroupDetailQuery = { groupDetail: { group: { id: string, name: string, emoji: string, color: string, workshop: { id: string, title: string, classes: Array<{ id: string, name: string, emoji: string }> } }, photosPerClass: Array<{ classId: string, count: number }>, runs: Array<{ id: string, status: RunStatus, mode: TrainingMode, testAccuracy: number | null, labels: Array<string> | null, confusion: Array<Array<number>> | null, misclassified: Array<{ photoId: string | null, label: string, predicted: string, url: string | null }> | null, confusingPhotos: Array<{ photoId: string, classId: string, predictedClassId: string, confidence: number }> | null, classConfidence: Array<{ classId: string, count: number, sure: number | null, accuracy: number | null }> | null }> } | null };

export type AdminPhotosQueryVariables = Exact<{
  workshopId: string;
  groupId?: string | null | undefined;
  classId?: string | null | undefined;
}>;


export type AdminPhotosQuery = { adminPhotos: Array<{ id: string, classId: string, url: string }> };

export type DelMutationVariables = Exact<{
  id: string;
}>;


export type DelMutation = { adminDeletePhoto: boolean | null };

export type PurgeMutationVariables = Exact<{
  workshopId: string;
}>;


export type PurgeMutation = { purgeWorkshop: { photos: number, trainingRuns: number, objects: number } };

export type TestPhotosQueryVariables = Exact<{
  workshopId: string;
}>;


export type TestPhotosQuery = { testPhotos: Array<{ id: string, classId: string }> };

export type ActivityQueryVariables = Exact<{
  workshopId: string;
}>;


export type ActivityQuery = { groupActivity: Array<{ number: number, photoCount: number, trained: boolean, bestScore: number | null, latestStatus: string | null, lastActivityAt: string | null, idle: boolean, stuck: boolean, attention: boolean, triesRight: number, triesWrong: number, group: { id: string, name: string, emoji: string, color: string }, photosPerClass: Array<{ classId: string, count: number }> }> };

export type DayFieldsFragment = { id: string, phase: Phase, scoresHidden: boolean, announcement: { message: string, freeze: boolean, at: string | null } | null };

export type DayQueryVariables = Exact<{
  id?: string | null | undefined;
}>;


export type DayQuery = { workshop: { id: string, phase: Phase, scoresHidden: boolean, announcement: { message: string, freeze: boolean, at: string | null } | null } | null };

export type HideMutationVariables = Exact<{
  workshopId: string;
  hidden: boolean;
}>;


export type HideMutation = { setScoresHidden: { id: string, phase: Phase, scoresHidden: boolean, announcement: { message: string, freeze: boolean, at: string | null } | null } | null };

export type AnnounceMutationVariables = Exact<{
  workshopId: string;
  message?: string | null | undefined;
  freeze?: boolean | null | undefined;
}>;


export type AnnounceMutation = { announce: { id: string, phase: Phase, scoresHidden: boolean, announcement: { message: string, freeze: boolean, at: string | null } | null } | null };

export type ReissueMutationVariables = Exact<{
  groupId: string;
}>;


export type ReissueMutation = { reissueCard: string };

export type TestPhotoListQueryVariables = Exact<{
  workshopId: string;
}>;


export type TestPhotoListQuery = { testPhotos: Array<{ id: string, classId: string, url: string }> };

export type DeleteTestMutationVariables = Exact<{
  id: string;
}>;


export type DeleteTestMutation = { deleteTestPhoto: boolean | null };

export type TryLogQueryVariables = Exact<{
  workshopId: string;
}>;


export type TryLogQuery = { tryLog: Array<{ classId: string | null, right: number, wrong: number }> };

export type LastTryQueryVariables = Exact<{
  groupId: string;
}>;


export type LastTryQuery = { lastTry: { photoUrl: string, classId: string | null, label: string | null, confidence: number | null, at: string | null, group: { id: string }, heatmap: { width: number, height: number, values: Array<number> } | null } | null };

export type JoinCheckQueryVariables = Exact<{ [key: string]: never; }>;


export type JoinCheckQuery = { isAdmin: boolean, me: { id: string, name: string, emoji: string } | null };

export type ExportMutationVariables = Exact<{
  runId: string;
}>;


export type ExportMutation = { exportModel: { id: string } | null };

export type ExportLinksQueryVariables = Exact<{ [key: string]: never; }>;


export type ExportLinksQuery = { trainingRuns: Array<{ id: string, status: RunStatus, exportUrl: string | null }> };

export type GroupFieldsFragment = { id: string, name: string, emoji: string, color: string, number: number };

export type WorkshopFieldsFragment = { id: string, title: string, phase: Phase, minPhotosPerClass: number, scoresHidden: boolean, announcement: { message: string, freeze: boolean, at: string | null } | null, classes: Array<{ id: string, name: string, emoji: string }> };

export type PhotoFieldsFragment = { id: string, classId: string, url: string, width: number, height: number, hints: Array<string> };

export type RunFieldsFragment = { id: string, status: RunStatus, progress: number, trainAccuracy: number | null, testAccuracy: number | null, testCorrect: number | null, testTotal: number | null, error: string | null, errorCode: string | null, mode: TrainingMode, createdAt: string, confusingPhotos: Array<{ photoId: string, classId: string, predictedClassId: string, confidence: number }> | null, classConfidence: Array<{ classId: string, count: number, sure: number | null, accuracy: number | null }> | null };

export type LoginMutationVariables = Exact<{
  token: string;
}>;


export type LoginMutation = { login: { id: string, name: string, emoji: string, color: string, number: number } | null };

export type SessionQueryVariables = Exact<{ [key: string]: never; }>;


export type SessionQuery = { me: { id: string, name: string, emoji: string, color: string, number: number } | null, workshop: { id: string, title: string, phase: Phase, minPhotosPerClass: number, scoresHidden: boolean, announcement: { message: string, freeze: boolean, at: string | null } | null, classes: Array<{ id: string, name: string, emoji: string }> } | null };

export type StartQueryVariables = Exact<{ [key: string]: never; }>;


export type StartQuery = { me: { id: string, name: string, emoji: string, color: string, number: number } | null, workshop: { id: string, title: string, phase: Phase, minPhotosPerClass: number, scoresHidden: boolean, announcement: { message: string, freeze: boolean, at: string | null } | null, classes: Array<{ id: string, name: string, emoji: string }> } | null, photos: Array<{ id: string, classId: string, url: string, width: number, height: number, hints: Array<string> }> };

export type PhotosQueryVariables = Exact<{
  classId?: string | null | undefined;
}>;


export type PhotosQuery = { photos: Array<{ id: string, classId: string, url: string, width: number, height: number, hints: Array<string> }> };

export type MoveMutationVariables = Exact<{
  id: string;
  classId: string;
}>;


export type MoveMutation = { movePhoto: { id: string, classId: string, url: string, width: number, height: number, hints: Array<string> } | null };

export type PairsQueryVariables = Exact<{ [key: string]: never; }>;


export type PairsQuery = { classPairHints: Array<{ classIds: Array<string>, code: string }> };

export type DeleteMutationVariables = Exact<{
  id: string;
}>;


export type DeleteMutation = { deletePhoto: boolean | null };

export type UploadMutationVariables = Exact<{
  classId: string;
  file: Blob;
}>;


export type UploadMutation = { uploadPhoto: { id: string, classId: string, url: string, width: number, height: number } | null };

export type TrainMutationVariables = Exact<{
  mode?: TrainingMode | null | undefined;
}>;


export type TrainMutation = { train: { id: string, status: RunStatus, progress: number, trainAccuracy: number | null, testAccuracy: number | null, testCorrect: number | null, testTotal: number | null, error: string | null, errorCode: string | null, mode: TrainingMode, createdAt: string, confusingPhotos: Array<{ photoId: string, classId: string, predictedClassId: string, confidence: number }> | null, classConfidence: Array<{ classId: string, count: number, sure: number | null, accuracy: number | null }> | null } | null };

export type RunsQueryVariables = Exact<{ [key: string]: never; }>;


export type RunsQuery = { trainingRuns: Array<{ id: string, status: RunStatus, progress: number, trainAccuracy: number | null, testAccuracy: number | null, testCorrect: number | null, testTotal: number | null, error: string | null, errorCode: string | null, mode: TrainingMode, createdAt: string, confusingPhotos: Array<{ photoId: string, classId: string, predictedClassId: string, confidence: number }> | null, classConfidence: Array<{ classId: string, count: number, sure: number | null, accuracy: number | null }> | null }> };

export type ConfusingHeatmapQueryVariables = Exact<{
  run: string;
  photo?: string | null | undefined;
}>;


export type ConfusingHeatmapQuery = { trainingRun: { id: string, confusingPhotos: Array<{ photoId: string, heatmapClassId: string | null, heatmap: { width: number, height: number, values: Array<number> } | null }> | null } | null };

export type PredictMutationVariables = Exact<{
  file: Blob;
}>;


export type PredictMutation = { predict: { label: string, classId: string, confidence: number, scores: Array<{ classId: string, label: string, confidence: number }>, heatmap: { width: number, height: number, values: Array<number> } | null } | null };

export type ScoreboardQueryVariables = Exact<{
  workshopId?: string | null | undefined;
}>;


export type ScoreboardQuery = { scoreboard: Array<{ rank: number, testAccuracy: number | null, photoCount: number, status: string, group: { id: string, name: string, emoji: string, color: string, number: number } }> };

export type KeepMutationVariables = Exact<{
  id: string;
}>;


export type KeepMutation = { keepPhoto: { id: string, classId: string, url: string, width: number, height: number, hints: Array<string> } | null };

export type AnswerMutationVariables = Exact<{
  correct: boolean;
  classId?: string | null | undefined;
}>;


export type AnswerMutation = { answerTry: boolean | null };

export type FriendsQueryVariables = Exact<{ [key: string]: never; }>;


export type FriendsQuery = { friends: Array<{ id: string, name: string, emoji: string, color: string }> };

export type PredictWithMutationVariables = Exact<{
  file: Blob;
  groupId?: string | null | undefined;
}>;


export type PredictWithMutation = { predict: { label: string, classId: string, confidence: number, groupId: string, scores: Array<{ classId: string, label: string, confidence: number }>, heatmap: { width: number, height: number, values: Array<number> } | null, reaction: { emoji: string | null, sound: string | null, words: string | null } | null } | null };

export type ReactionsQueryVariables = Exact<{ [key: string]: never; }>;


export type ReactionsQuery = { workshop: { id: string, classes: Array<{ id: string, reaction: { emoji: string | null, sound: string | null, words: string | null } | null }> } | null };

export type ReactMutationVariables = Exact<{
  classId: string;
  emoji?: string | null | undefined;
  sound?: string | null | undefined;
  words?: string | null | undefined;
}>;


export type ReactMutation = { setClassReaction: { emoji: string | null, sound: string | null, words: string | null } | null };

export type LearnedQueryVariables = Exact<{
  id: string;
}>;


export type LearnedQuery = { trainingRun: { id: string, status: RunStatus, testAccuracy: number | null, crossValidatedAccuracy: number | null, reflection: ReflectionAnswer | null, classConfidence: Array<{ classId: string, count: number, sure: number | null, accuracy: number | null }> | null, confusingPhotos: Array<{ photoId: string, classId: string, predictedClassId: string, confidence: number }> | null, classHeatmaps: Array<{ classId: string, photoId: string, heatmapClassId: string | null, heatmap: { width: number, height: number, values: Array<number> } | null }> | null } | null };

export type ReflectMutationVariables = Exact<{
  runId: string;
  answer: ReflectionAnswer;
}>;


export type ReflectMutation = { answerReflection: ReflectionAnswer | null };

export class TypedDocumentString<TResult, TVariables>
  extends String
  implements DocumentTypeDecoration<TResult, TVariables>
{
  __apiType?: NonNullable<DocumentTypeDecoration<TResult, TVariables>['__apiType']>;
  private value: string;
  public __meta__?: Record<string, any> | undefined;

  constructor(value: string, __meta__?: Record<string, any> | undefined) {
    super(value);
    this.value = value;
    this.__meta__ = __meta__;
  }

  override toString(): string & DocumentTypeDecoration<TResult, TVariables> {
    return this.value;
  }
}
export const AdminWorkshopFieldsFragmentDoc = new TypedDocumentString(`
    fragment AdminWorkshopFields on Workshop {
  id
  title
  phase
  minPhotosPerClass
  scoresHidden
  classes {
    id
    name
    emoji
  }
  groups {
    id
    name
    emoji
    color
    number
    loginUrl
    photoCount
  }
}
    `, {"fragmentName":"AdminWorkshopFields"}) as unknown as TypedDocumentString<AdminWorkshopFieldsFragment, unknown>;
export const DayFieldsFragmentDoc = new TypedDocumentString(`
    fragment DayFields on Workshop {
  id
  phase
  scoresHidden
  announcement {
    message
    freeze
    at
  }
}
    `, {"fragmentName":"DayFields"}) as unknown as TypedDocumentString<DayFieldsFragment, unknown>;
export const GroupFieldsFragmentDoc = new TypedDocumentString(`
    fragment GroupFields on Group {
  id
  name
  emoji
  color
  number
}
    `, {"fragmentName":"GroupFields"}) as unknown as TypedDocumentString<GroupFieldsFragment, unknown>;
export const WorkshopFieldsFragmentDoc = new TypedDocumentString(`
    fragment WorkshopFields on Workshop {
  id
  title
  phase
  minPhotosPerClass
  scoresHidden
  announcement {
    message
    freeze
    at
  }
  classes {
    id
    name
    emoji
  }
}
    `, {"fragmentName":"WorkshopFields"}) as unknown as TypedDocumentString<WorkshopFieldsFragment, unknown>;
export const PhotoFieldsFragmentDoc = new TypedDocumentString(`
    fragment PhotoFields on Photo {
  id
  classId
  url
  width
  height
  hints
}
    `, {"fragmentName":"PhotoFields"}) as unknown as TypedDocumentString<PhotoFieldsFragment, unknown>;
export const RunFieldsFragmentDoc = new TypedDocumentString(`
    fragment RunFields on TrainingRun {
  id
  status
  progress
  trainAccuracy
  testAccuracy
  testCorrect
  testTotal
  error
  errorCode
  mode
  createdAt
  confusingPhotos {
    photoId
    classId
    predictedClassId
    confidence
  }
  classConfidence {
    classId
    count
    sure
    accuracy
  }
}
    `, {"fragmentName":"RunFields"}) as unknown as TypedDocumentString<RunFieldsFragment, unknown>;
export const NetworksDocument = new TypedDocumentString(`
    query Networks($id: ID) {
  workshop(id: $id) {
    allowedNetworks
  }
  myNetwork
}
    `) as unknown as TypedDocumentString<NetworksQuery, NetworksQueryVariables>;
export const SetNetworksDocument = new TypedDocumentString(`
    mutation SetNetworks($id: ID!, $cidrs: [String!]!) {
  setAllowedNetworks(workshopId: $id, cidrs: $cidrs) {
    allowedNetworks
  }
}
    `) as unknown as TypedDocumentString<SetNetworksMutation, SetNetworksMutationVariables>;
export const PlayDocument = new TypedDocumentString(`
    query Play($id: ID!) {
  workshop(id: $id) {
    id
    friendsAIs
  }
  reflectionTally(workshopId: $id) {
    answer
    count
    groups
  }
}
    `) as unknown as TypedDocumentString<PlayQuery, PlayQueryVariables>;
export const SetFriendsAIsDocument = new TypedDocumentString(`
    mutation SetFriendsAIs($id: ID!, $on: Boolean!) {
  setFriendsAIs(workshopId: $id, enabled: $on) {
    id
    friendsAIs
  }
}
    `) as unknown as TypedDocumentString<SetFriendsAIsMutation, SetFriendsAIsMutationVariables>;
export const TakeHomeRunsDocument = new TypedDocumentString(`
    query TakeHomeRuns($groupId: ID!) {
  groupDetail(groupId: $groupId) {
    runs {
      id
      status
      testAccuracy
      finishedAt
      exportUrl
    }
  }
}
    `) as unknown as TypedDocumentString<TakeHomeRunsQuery, TakeHomeRunsQueryVariables>;
export const AdminLoginDocument = new TypedDocumentString(`
    mutation AdminLogin($email: String, $password: String!) {
  adminLogin(email: $email, password: $password)
}
    `) as unknown as TypedDocumentString<AdminLoginMutation, AdminLoginMutationVariables>;
export const LogoutDocument = new TypedDocumentString(`
    mutation Logout {
  logout
}
    `) as unknown as TypedDocumentString<LogoutMutation, LogoutMutationVariables>;
export const WhoAmIDocument = new TypedDocumentString(`
    query WhoAmI {
  isAdmin
  currentInstructor {
    id
    email
    isOrgAdmin
    locked
    hasPassword
  }
}
    `) as unknown as TypedDocumentString<WhoAmIQuery, WhoAmIQueryVariables>;
export const InstructorsDocument = new TypedDocumentString(`
    query Instructors {
  instructors {
    id
    email
    isOrgAdmin
    locked
    hasPassword
    createdAt
  }
}
    `) as unknown as TypedDocumentString<InstructorsQuery, InstructorsQueryVariables>;
export const InviteDocument = new TypedDocumentString(`
    mutation Invite($email: String!, $orgAdmin: Boolean) {
  inviteInstructor(email: $email, orgAdmin: $orgAdmin)
}
    `) as unknown as TypedDocumentString<InviteMutation, InviteMutationVariables>;
export const UnlockDocument = new TypedDocumentString(`
    mutation Unlock($email: String!) {
  unlockInstructor(email: $email) {
    id
    locked
  }
}
    `) as unknown as TypedDocumentString<UnlockMutation, UnlockMutationVariables>;
export const ResetDocument = new TypedDocumentString(`
    mutation Reset($email: String!) {
  resetInstructorPassword(email: $email)
}
    `) as unknown as TypedDocumentString<ResetMutation, ResetMutationVariables>;
export const AcceptDocument = new TypedDocumentString(`
    mutation Accept($token: String!, $password: String!) {
  acceptInvite(token: $token, password: $password)
}
    `) as unknown as TypedDocumentString<AcceptMutation, AcceptMutationVariables>;
export const ChangePasswordDocument = new TypedDocumentString(`
    mutation ChangePassword($currentPassword: String!, $newPassword: String!) {
  changePassword(currentPassword: $currentPassword, newPassword: $newPassword)
}
    `) as unknown as TypedDocumentString<ChangePasswordMutation, ChangePasswordMutationVariables>;
export const SessionsDocument = new TypedDocumentString(`
    query Sessions {
  adminSessions {
    id
    createdAt
    userAgent
    current
  }
}
    `) as unknown as TypedDocumentString<SessionsQuery, SessionsQueryVariables>;
export const EndSessionDocument = new TypedDocumentString(`
    mutation EndSession($id: ID!) {
  endAdminSession(id: $id)
}
    `) as unknown as TypedDocumentString<EndSessionMutation, EndSessionMutationVariables>;
export const AddOwnerDocument = new TypedDocumentString(`
    mutation AddOwner($workshopId: ID!, $email: String!) {
  addWorkshopOwner(workshopId: $workshopId, email: $email) {
    id
    owners
  }
}
    `) as unknown as TypedDocumentString<AddOwnerMutation, AddOwnerMutationVariables>;
export const OwnersDocument = new TypedDocumentString(`
    query Owners($id: ID) {
  workshop(id: $id) {
    id
    owners
  }
}
    `) as unknown as TypedDocumentString<OwnersQuery, OwnersQueryVariables>;
export const WorkshopsDocument = new TypedDocumentString(`
    query Workshops {
  workshops {
    id
    title
    phase
  }
}
    `) as unknown as TypedDocumentString<WorkshopsQuery, WorkshopsQueryVariables>;
export const WorkshopDocument = new TypedDocumentString(`
    query Workshop($id: ID) {
  workshop(id: $id) {
    ...AdminWorkshopFields
  }
}
    fragment AdminWorkshopFields on Workshop {
  id
  title
  phase
  minPhotosPerClass
  scoresHidden
  classes {
    id
    name
    emoji
  }
  groups {
    id
    name
    emoji
    color
    number
    loginUrl
    photoCount
  }
}`) as unknown as TypedDocumentString<WorkshopQuery, WorkshopQueryVariables>;
export const CreateDocument = new TypedDocumentString(`
    mutation Create($title: String!, $classes: [String!]!, $groups: Int!, $emojis: [String]) {
  createWorkshop(
    title: $title
    classes: $classes
    groups: $groups
    emojis: $emojis
  ) {
    ...AdminWorkshopFields
  }
}
    fragment AdminWorkshopFields on Workshop {
  id
  title
  phase
  minPhotosPerClass
  scoresHidden
  classes {
    id
    name
    emoji
  }
  groups {
    id
    name
    emoji
    color
    number
    loginUrl
    photoCount
  }
}`) as unknown as TypedDocumentString<CreateMutation, CreateMutationVariables>;
export const SetPhaseDocument = new TypedDocumentString(`
    mutation SetPhase($workshopId: ID!, $phase: Phase!) {
  setPhase(workshopId: $workshopId, phase: $phase) {
    id
    phase
  }
}
    `) as unknown as TypedDocumentString<SetPhaseMutation, SetPhaseMutationVariables>;
export const UploadTestDocument = new TypedDocumentString(`
    mutation UploadTest($classId: ID!, $file: Upload!) {
  uploadTestPhoto(classId: $classId, file: $file) {
    id
    classId
    url
  }
}
    `) as unknown as TypedDocumentString<UploadTestMutation, UploadTestMutationVariables>;
export const LogDocument = new TypedDocumentString(`
    query Log($workshopId: ID!) {
  experimentLog(workshopId: $workshopId) {
    runId
    group {
      id
      name
    }
    mode
    photoCount
    testAccuracy
    createdAt
  }
}
    `) as unknown as TypedDocumentString<LogQuery, LogQueryVariables>;
export const GroupDetailDocument = new TypedDocumentString(`
    query GroupDetail($groupId: ID!) {
  groupDetail(groupId: $groupId) {
    group {
      id
      name
      emoji
      color
      workshop {
        id
        title
        classes {
          id
          name
          emoji
        }
      }
    }
    photosPerClass {
      classId
      count
    }
    runs {
      id
      status
      mode
      testAccuracy
      labels
      confusion
      misclassified {
        photoId
        label
        predicted
        url
      }
      confusingPhotos {
        photoId
        classId
        predictedClassId
        confidence
      }
      classConfidence {
        classId
        count
        sure
        accuracy
      }
    }
  }
}
    `) as unknown as TypedDocumentString<GroupDetailQuery, GroupDetailQueryVariables>;
export const AdminPhotosDocument = new TypedDocumentString(`
    query AdminPhotos($workshopId: ID!, $groupId: ID, $classId: ID) {
  adminPhotos(workshopId: $workshopId, groupId: $groupId, classId: $classId) {
    id
    classId
    url
  }
}
    `) as unknown as TypedDocumentString<AdminPhotosQuery, AdminPhotosQueryVariables>;
export const DelDocument = new TypedDocumentString(`
    mutation Del($id: ID!) {
  adminDeletePhoto(id: $id)
}
    `) as unknown as TypedDocumentString<DelMutation, DelMutationVariables>;
export const PurgeDocument = new TypedDocumentString(`
    mutation Purge($workshopId: ID!) {
  purgeWorkshop(workshopId: $workshopId) {
    photos
    trainingRuns
    objects
  }
}
    `) as unknown as TypedDocumentString<PurgeMutation, PurgeMutationVariables>;
export const TestPhotosDocument = new TypedDocumentString(`
    query TestPhotos($workshopId: ID!) {
  testPhotos(workshopId: $workshopId) {
    id
    classId
  }
}
    `) as unknown as TypedDocumentString<TestPhotosQuery, TestPhotosQueryVariables>;
export const ActivityDocument = new TypedDocumentString(`
    query Activity($workshopId: ID!) {
  groupActivity(workshopId: $workshopId) {
    number
    group {
      id
      name
      emoji
      color
    }
    photoCount
    photosPerClass {
      classId
      count
    }
    trained
    bestScore
    latestStatus
    lastActivityAt
    idle
    stuck
    attention
    triesRight
    triesWrong
  }
}
    `) as unknown as TypedDocumentString<ActivityQuery, ActivityQueryVariables>;
export const DayDocument = new TypedDocumentString(`
    query Day($id: ID) {
  workshop(id: $id) {
    ...DayFields
  }
}
    fragment DayFields on Workshop {
  id
  phase
  scoresHidden
  announcement {
    message
    freeze
    at
  }
}`) as unknown as TypedDocumentString<DayQuery, DayQueryVariables>;
export const HideDocument = new TypedDocumentString(`
    mutation Hide($workshopId: ID!, $hidden: Boolean!) {
  setScoresHidden(workshopId: $workshopId, hidden: $hidden) {
    ...DayFields
  }
}
    fragment DayFields on Workshop {
  id
  phase
  scoresHidden
  announcement {
    message
    freeze
    at
  }
}`) as unknown as TypedDocumentString<HideMutation, HideMutationVariables>;
export const AnnounceDocument = new TypedDocumentString(`
    mutation Announce($workshopId: ID!, $message: String, $freeze: Boolean) {
  announce(workshopId: $workshopId, message: $message, freeze: $freeze) {
    ...DayFields
  }
}
    fragment DayFields on Workshop {
  id
  phase
  scoresHidden
  announcement {
    message
    freeze
    at
  }
}`) as unknown as TypedDocumentString<AnnounceMutation, AnnounceMutationVariables>;
export const ReissueDocument = new TypedDocumentString(`
    mutation Reissue($groupId: ID!) {
  reissueCard(groupId: $groupId)
}
    `) as unknown as TypedDocumentString<ReissueMutation, ReissueMutationVariables>;
export const TestPhotoListDocument = new TypedDocumentString(`
    query TestPhotoList($workshopId: ID!) {
  testPhotos(workshopId: $workshopId) {
    id
    classId
    url
  }
}
    `) as unknown as TypedDocumentString<TestPhotoListQuery, TestPhotoListQueryVariables>;
export const DeleteTestDocument = new TypedDocumentString(`
    mutation DeleteTest($id: ID!) {
  deleteTestPhoto(id: $id)
}
    `) as unknown as TypedDocumentString<DeleteTestMutation, DeleteTestMutationVariables>;
export const TryLogDocument = new TypedDocumentString(`
    query TryLog($workshopId: ID!) {
  tryLog(workshopId: $workshopId) {
    classId
    right
    wrong
  }
}
    `) as unknown as TypedDocumentString<TryLogQuery, TryLogQueryVariables>;
export const LastTryDocument = new TypedDocumentString(`
    query LastTry($groupId: ID!) {
  lastTry(groupId: $groupId) {
    group {
      id
    }
    photoUrl
    classId
    label
    confidence
    heatmap {
      width
      height
      values
    }
    at
  }
}
    `) as unknown as TypedDocumentString<LastTryQuery, LastTryQueryVariables>;
export const JoinCheckDocument = new TypedDocumentString(`
    query JoinCheck {
  me {
    id
    name
    emoji
  }
  isAdmin
}
    `) as unknown as TypedDocumentString<JoinCheckQuery, JoinCheckQueryVariables>;
export const ExportDocument = new TypedDocumentString(`
    mutation Export($runId: ID!) {
  exportModel(runId: $runId) {
    id
  }
}
    `) as unknown as TypedDocumentString<ExportMutation, ExportMutationVariables>;
export const ExportLinksDocument = new TypedDocumentString(`
    query ExportLinks {
  trainingRuns {
    id
    status
    exportUrl
  }
}
    `) as unknown as TypedDocumentString<ExportLinksQuery, ExportLinksQueryVariables>;
export const LoginDocument = new TypedDocumentString(`
    mutation Login($token: String!) {
  login(token: $token) {
    ...GroupFields
  }
}
    fragment GroupFields on Group {
  id
  name
  emoji
  color
  number
}`) as unknown as TypedDocumentString<LoginMutation, LoginMutationVariables>;
export const SessionDocument = new TypedDocumentString(`
    query Session {
  me {
    ...GroupFields
  }
  workshop {
    ...WorkshopFields
  }
}
    fragment GroupFields on Group {
  id
  name
  emoji
  color
  number
}
fragment WorkshopFields on Workshop {
  id
  title
  phase
  minPhotosPerClass
  scoresHidden
  announcement {
    message
    freeze
    at
  }
  classes {
    id
    name
    emoji
  }
}`) as unknown as TypedDocumentString<SessionQuery, SessionQueryVariables>;
export const StartDocument = new TypedDocumentString(`
    query Start {
  me {
    ...GroupFields
  }
  workshop {
    ...WorkshopFields
  }
  photos {
    ...PhotoFields
  }
}
    fragment GroupFields on Group {
  id
  name
  emoji
  color
  number
}
fragment WorkshopFields on Workshop {
  id
  title
  phase
  minPhotosPerClass
  scoresHidden
  announcement {
    message
    freeze
    at
  }
  classes {
    id
    name
    emoji
  }
}
fragment PhotoFields on Photo {
  id
  classId
  url
  width
  height
  hints
}`) as unknown as TypedDocumentString<StartQuery, StartQueryVariables>;
export const PhotosDocument = new TypedDocumentString(`
    query Photos($classId: ID) {
  photos(classId: $classId) {
    ...PhotoFields
  }
}
    fragment PhotoFields on Photo {
  id
  classId
  url
  width
  height
  hints
}`) as unknown as TypedDocumentString<PhotosQuery, PhotosQueryVariables>;
export const MoveDocument = new TypedDocumentString(`
    mutation Move($id: ID!, $classId: ID!) {
  movePhoto(id: $id, classId: $classId) {
    ...PhotoFields
  }
}
    fragment PhotoFields on Photo {
  id
  classId
  url
  width
  height
  hints
}`) as unknown as TypedDocumentString<MoveMutation, MoveMutationVariables>;
export const PairsDocument = new TypedDocumentString(`
    query Pairs {
  classPairHints {
    classIds
    code
  }
}
    `) as unknown as TypedDocumentString<PairsQuery, PairsQueryVariables>;
export const DeleteDocument = new TypedDocumentString(`
    mutation Delete($id: ID!) {
  deletePhoto(id: $id)
}
    `) as unknown as TypedDocumentString<DeleteMutation, DeleteMutationVariables>;
export const UploadDocument = new TypedDocumentString(`
    mutation Upload($classId: ID!, $file: Upload!) {
  uploadPhoto(classId: $classId, file: $file) {
    id
    classId
    url
    width
    height
  }
}
    `) as unknown as TypedDocumentString<UploadMutation, UploadMutationVariables>;
export const TrainDocument = new TypedDocumentString(`
    mutation Train($mode: TrainingMode) {
  train(mode: $mode) {
    ...RunFields
  }
}
    fragment RunFields on TrainingRun {
  id
  status
  progress
  trainAccuracy
  testAccuracy
  testCorrect
  testTotal
  error
  errorCode
  mode
  createdAt
  confusingPhotos {
    photoId
    classId
    predictedClassId
    confidence
  }
  classConfidence {
    classId
    count
    sure
    accuracy
  }
}`) as unknown as TypedDocumentString<TrainMutation, TrainMutationVariables>;
export const RunsDocument = new TypedDocumentString(`
    query Runs {
  trainingRuns {
    ...RunFields
  }
}
    fragment RunFields on TrainingRun {
  id
  status
  progress
  trainAccuracy
  testAccuracy
  testCorrect
  testTotal
  error
  errorCode
  mode
  createdAt
  confusingPhotos {
    photoId
    classId
    predictedClassId
    confidence
  }
  classConfidence {
    classId
    count
    sure
    accuracy
  }
}`) as unknown as TypedDocumentString<RunsQuery, RunsQueryVariables>;
export const ConfusingHeatmapDocument = new TypedDocumentString(`
    query ConfusingHeatmap($run: ID!, $photo: ID) {
  trainingRun(id: $run) {
    id
    confusingPhotos(photoId: $photo) {
      photoId
      heatmapClassId
      heatmap {
        width
        height
        values
      }
    }
  }
}
    `) as unknown as TypedDocumentString<ConfusingHeatmapQuery, ConfusingHeatmapQueryVariables>;
export const PredictDocument = new TypedDocumentString(`
    mutation Predict($file: Upload!) {
  predict(file: $file) {
    label
    classId
    confidence
    scores {
      classId
      label
      confidence
    }
    heatmap {
      width
      height
      values
    }
  }
}
    `) as unknown as TypedDocumentString<PredictMutation, PredictMutationVariables>;
export const ScoreboardDocument = new TypedDocumentString(`
    query Scoreboard($workshopId: ID) {
  scoreboard(workshopId: $workshopId) {
    rank
    group {
      ...GroupFields
    }
    testAccuracy
    photoCount
    status
  }
}
    fragment GroupFields on Group {
  id
  name
  emoji
  color
  number
}`) as unknown as TypedDocumentString<ScoreboardQuery, ScoreboardQueryVariables>;
export const KeepDocument = new TypedDocumentString(`
    mutation Keep($id: ID!) {
  keepPhoto(id: $id) {
    ...PhotoFields
  }
}
    fragment PhotoFields on Photo {
  id
  classId
  url
  width
  height
  hints
}`) as unknown as TypedDocumentString<KeepMutation, KeepMutationVariables>;
export const AnswerDocument = new TypedDocumentString(`
    mutation Answer($correct: Boolean!, $classId: ID) {
  answerTry(correct: $correct, classId: $classId)
}
    `) as unknown as TypedDocumentString<AnswerMutation, AnswerMutationVariables>;
export const FriendsDocument = new TypedDocumentString(`
    query Friends {
  friends {
    id
    name
    emoji
    color
  }
}
    `) as unknown as TypedDocumentString<FriendsQuery, FriendsQueryVariables>;
export const PredictWithDocument = new TypedDocumentString(`
    mutation PredictWith($file: Upload!, $groupId: ID) {
  predict(file: $file, groupId: $groupId) {
    label
    classId
    confidence
    groupId
    scores {
      classId
      label
      confidence
    }
    heatmap {
      width
      height
      values
    }
    reaction {
      emoji
      sound
      words
    }
  }
}
    `) as unknown as TypedDocumentString<PredictWithMutation, PredictWithMutationVariables>;
export const ReactionsDocument = new TypedDocumentString(`
    query Reactions {
  workshop {
    id
    classes {
      id
      reaction {
        emoji
        sound
        words
      }
    }
  }
}
    `) as unknown as TypedDocumentString<ReactionsQuery, ReactionsQueryVariables>;
export const ReactDocument = new TypedDocumentString(`
    mutation React($classId: ID!, $emoji: String, $sound: String, $words: String) {
  setClassReaction(classId: $classId, emoji: $emoji, sound: $sound, words: $words) {
    emoji
    sound
    words
  }
}
    `) as unknown as TypedDocumentString<ReactMutation, ReactMutationVariables>;
export const LearnedDocument = new TypedDocumentString(`
    query Learned($id: ID!) {
  trainingRun(id: $id) {
    id
    status
    testAccuracy
    crossValidatedAccuracy
    reflection
    classConfidence {
      classId
      count
      sure
      accuracy
    }
    confusingPhotos {
      photoId
      classId
      predictedClassId
      confidence
    }
    classHeatmaps {
      classId
      photoId
      heatmapClassId
      heatmap {
        width
        height
        values
      }
    }
  }
}
    `) as unknown as TypedDocumentString<LearnedQuery, LearnedQueryVariables>;
export const ReflectDocument = new TypedDocumentString(`
    mutation Reflect($runId: ID!, $answer: ReflectionAnswer!) {
  answerReflection(runId: $runId, answer: $answer)
}
    `) as unknown as TypedDocumentString<ReflectMutation, ReflectMutationVariables>;