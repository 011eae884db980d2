/* eslint-disable */
import * as types from './graphql';



/**
 * Map of all GraphQL operations in the project.
 *
 * This map has several performance disadvantages:
 * 1. It is not tree-shakeable, so it will include all operations in the project.
 * 2. It is not minifiable, so the string of a GraphQL query will be multiple times inside the bundle.
 * 3. It does not support dead code elimination, so it will add unused operations.
 *
 * Therefore it is highly recommended to use the babel or swc plugin for production.
 * Learn more about it here: https://the-guild.dev/graphql/codegen/plugins/presets/preset-client#reducing-bundle-size
 */
type Documents = {
    "query Networks($id: ID) { workshop(id: $id) { allowedNetworks } myNetwork }": typeof types.NetworksDocument,
    "mutation SetNetworks($id: ID!, $cidrs: [String!]!) { setAllowedNetworks(workshopId: $id, cidrs: $cidrs) { allowedNetworks } }": typeof types.SetNetworksDocument,
    "query Play($id: ID!) { workshop(id: $id) { id friendsAIs } reflectionTally(workshopId: $id) { answer count groups } }": typeof types.PlayDocument,
    "mutation SetFriendsAIs($id: ID!, $on: Boolean!) { setFriendsAIs(workshopId: $id, enabled: $on) { id friendsAIs } }": typeof types.SetFriendsAIsDocument,
    "query TakeHomeRuns($groupId: ID!) {\n  groupDetail(groupId: $groupId) { runs { id status testAccuracy finishedAt exportUrl } } }": typeof types.TakeHomeRunsDocument,
    "mutation AdminLogin($email: String, $password: String!) { adminLogin(email: $email, password: $password) }": typeof types.AdminLoginDocument,
    "mutation Logout { logout }": typeof types.LogoutDocument,
    "query WhoAmI { isAdmin currentInstructor { id email isOrgAdmin locked hasPassword } }": typeof types.WhoAmIDocument,
    "query Instructors { instructors { id email isOrgAdmin locked hasPassword createdAt } }": typeof types.InstructorsDocument,
    "mutation Invite($email: String!, $orgAdmin: Boolean) { inviteInstructor(email: $email, orgAdmin: $orgAdmin) }": typeof types.InviteDocument,
    "mutation Unlock($email: String!) { unlockInstructor(email: $email) { id locked } }": typeof types.UnlockDocument,
    "mutation Reset($email: String!) { resetInstructorPassword(email: $email) }": typeof types.ResetDocument,
    "mutation Accept($token: String!, $password: String!) { acceptInvite(token: $token, password: $password) }": typeof types.AcceptDocument,
    "mutation ChangePassword($currentPassword: String!, $newPassword: String!) {\n       changePassword(currentPassword: $currentPassword, newPassword: $newPassword) }": typeof types.ChangePasswordDocument,
    "query Sessions { adminSessions { id createdAt userAgent current } }": typeof types.SessionsDocument,
    "mutation EndSession($id: ID!) { endAdminSession(id: $id) }": typeof types.EndSessionDocument,
    "mutation AddOwner($workshopId: ID!, $email: String!) { addWorkshopOwner(workshopId: $workshopId, email: $email) { id owners } }": typeof types.AddOwnerDocument,
    "query Owners($id: ID) { workshop(id: $id) { id owners } }": typeof types.OwnersDocument,
    "query Workshops { workshops { id title phase } }": typeof types.WorkshopsDocument,
    "fragment AdminWorkshopFields on Workshop {\n  id title phase minPhotosPerClass scoresHidden classes { id name emoji } groups { id name emoji color number loginUrl photoCount } }": typeof types.AdminWorkshopFieldsFragmentDoc,
    "query Workshop($id: ID) { workshop(id: $id) { ...AdminWorkshopFields } }": typeof types.WorkshopDocument,
    "mutation Create($title: String!, $classes: [String!]!, $groups: Int!, $emojis: [String]) {\n       createWorkshop(title: $title, classes: $classes, groups: $groups, emojis: $emojis) { ...AdminWorkshopFields } }": typeof types.CreateDocument,
    "mutation SetPhase($workshopId: ID!, $phase: Phase!) { setPhase(workshopId: $workshopId, phase: $phase) { id phase } }": typeof types.SetPhaseDocument,
    "mutation UploadTest($classId: ID!, $file: Upload!) { uploadTestPhoto(classId: $classId, file: $file) { id classId url } }": typeof types.UploadTestDocument,
    "query Log($workshopId: ID!) { experimentLog(workshopId: $workshopId) {\n       runId group { id name } mode photoCount testAccuracy createdAt } }": typeof types.LogDocument,
    "query GroupDetail($groupId: ID!) { groupDetail(groupId: $groupId) {\n       group { id name emoji color workshop { id title classes { id name emoji } } }\n       photosPerClass { classId count }\n       runs { id status mode testAccuracy labels confusion misclassified { photoId label predicted url }\n              confusingPhotos { photoId classId predictedClassId confidence }\n              classConfidence { classId count sure accuracy } } } }": typeof types.GroupDetailDocument,
    "query AdminPhotos($workshopId: ID!, $groupId: ID, $classId: ID) {\n       adminPhotos(workshopId: $workshopId, groupId: $groupId, classId: $classId) { id classId url } }": typeof types.AdminPhotosDocument,
    "mutation Del($id: ID!) { adminDeletePhoto(id: $id) }": typeof types.DelDocument,
    "mutation Purge($workshopId: ID!) { purgeWorkshop(workshopId: $workshopId) { photos trainingRuns objects } }": typeof types.PurgeDocument,
    "query TestPhotos($workshopId: ID!) { testPhotos(workshopId: $workshopId) { id classId } }": typeof types.TestPhotosDocument,
    "query Activity($workshopId: ID!) { groupActivity(workshopId: $workshopId) {\n       number group { id name emoji color } photoCount photosPerClass { classId count } trained bestScore\n       latestStatus lastActivityAt idle stuck attention triesRight triesWrong } }": typeof types.ActivityDocument,
    "fragment DayFields on Workshop { id phase scoresHidden announcement { message freeze at } }": typeof types.DayFieldsFragmentDoc,
    "query Day($id: ID) { workshop(id: $id) { ...DayFields } }": typeof types.DayDocument,
    "mutation Hide($workshopId: ID!, $hidden: Boolean!) { setScoresHidden(workshopId: $workshopId, hidden: $hidden) { ...DayFields } }": typeof types.HideDocument,
    "mutation Announce($workshopId: ID!, $message: String, $freeze: Boolean) {\n       announce(workshopId: $workshopId, message: $message, freeze: $freeze) { ...DayFields } }": typeof types.AnnounceDocument,
    "mutation Reissue($groupId: ID!) { reissueCard(groupId: $groupId) }": typeof types.ReissueDocument,
    "query TestPhotoList($workshopId: ID!) { testPhotos(workshopId: $workshopId) { id classId url } }": typeof types.TestPhotoListDocument,
    "mutation DeleteTest($id: ID!) { deleteTestPhoto(id: $id) }": typeof types.DeleteTestDocument,
    "query TryLog($workshopId: ID!) { tryLog(workshopId: $workshopId) { classId right wrong } }": typeof types.TryLogDocument,
    "query LastTry($groupId: ID!) { lastTry(groupId: $groupId) {\n       group { id } photoUrl classId label confidence heatmap { width height values } at } }": typeof types.LastTryDocument,
    "query JoinCheck { me { id name emoji } isAdmin }": typeof types.JoinCheckDocument,
    "mutation Export($runId: ID!) { exportModel(runId: $runId) { id } }": typeof types.ExportDocument,
    "query ExportLinks { trainingRuns { id status exportUrl } }": typeof types.ExportLinksDocument,
    "fragment GroupFields on Group { id name emoji color number }": typeof types.GroupFieldsFragmentDoc,
    "fragment WorkshopFields on Workshop {\n  id title phase minPhotosPerClass scoresHidden announcement { message freeze at } classes { id name emoji } }": typeof types.WorkshopFieldsFragmentDoc,
    "fragment PhotoFields on Photo { id classId url width height hints }": typeof types.PhotoFieldsFragmentDoc,
    "fragment RunFields on TrainingRun {\n  id status progress trainAccuracy testAccuracy testCorrect testTotal error errorCode mode createdAt\n  confusingPhotos { photoId classId predictedClassId confidence } classConfidence { classId count sure accuracy } }": typeof types.RunFieldsFragmentDoc,
    "mutation Login($token: String!) { login(token: $token) { ...GroupFields } }": typeof types.LoginDocument,
    "query Session { me { ...GroupFields } workshop { ...WorkshopFields } }": typeof types.SessionDocument,
    "query Start { me { ...GroupFields } workshop { ...WorkshopFields } photos { ...PhotoFields } }": typeof types.StartDocument,
    "query Photos($classId: ID) { photos(classId: $classId) { ...PhotoFields } }": typeof types.PhotosDocument,
    "mutation Move($id: ID!, $classId: ID!) { movePhoto(id: $id, classId: $classId) { ...PhotoFields } }": typeof types.MoveDocument,
    "query Pairs { classPairHints { classIds code } }": typeof types.PairsDocument,
    "mutation Delete($id: ID!) { deletePhoto(id: $id) }": typeof types.DeleteDocument,
    "mutation Upload($classId: ID!, $file: Upload!) {\n  uploadPhoto(classId: $classId, file: $file) { id classId url width height } }": typeof types.UploadDocument,
    "mutation Train($mode: TrainingMode) { train(mode: $mode) { ...RunFields } }": typeof types.TrainDocument,
    "query Runs { trainingRuns { ...RunFields } }": typeof types.RunsDocument,
    "query ConfusingHeatmap($run: ID!, $photo: ID) { trainingRun(id: $run) { id\n  confusingPhotos(photoId: $photo) { photoId heatmapClassId heatmap { width height values } } } }": typeof types.ConfusingHeatmapDocument,
    "mutation Predict($file: Upload!) {\n  predict(file: $file) { label classId confidence scores { classId label confidence }\n                         heatmap { width height values } } }": typeof types.PredictDocument,
    "query Scoreboard($workshopId: ID) { scoreboard(workshopId: $workshopId) {\n  rank group { ...GroupFields } testAccuracy photoCount status } }": typeof types.ScoreboardDocument,
    "mutation Keep($id: ID!) { keepPhoto(id: $id) { ...PhotoFields } }": typeof types.KeepDocument,
    "mutation Answer($correct: Boolean!, $classId: ID) { answerTry(correct: $correct, classId: $classId) }": typeof types.AnswerDocument,
    "query Friends { friends { id name emoji color } }": typeof types.FriendsDocument,
    "mutation PredictWith($file: Upload!, $groupId: ID) {\n  predict(file: $file, groupId: $groupId) { label classId confidence groupId scores { classId label confidence }\n    heatmap { width height values } reaction { emoji sound words } } }": typeof types.PredictWithDocument,
    "query Reactions { workshop { id classes { id reaction { emoji sound words } } } }": typeof types.ReactionsDocument,
    "mutation React($classId: ID!, $emoji: String, $sound: String, $words: String) {\n       setClassReaction(classId: $classId, emoji: $emoji, sound: $sound, words: $words) { emoji sound words } }": typeof types.ReactDocument,
    "query Learned($id: ID!) { trainingRun(id: $id) { id status testAccuracy crossValidatedAccuracy reflection\n       classConfidence { classId count sure accuracy }\n       confusingPhotos { photoId classId predictedClassId confidence }\n       classHeatmaps { classId photoId heatmapClassId heatmap { width height values } } } }": typeof types.LearnedDocument,
    "mutation Reflect($runId: ID!, $answer: ReflectionAnswer!) { answerReflection(runId: $runId, answer: $answer) }": typeof types.ReflectDocument,
};
const documents: Documents = {
    "query Networks($id: ID) { workshop(id: $id) { allowedNetworks } myNetwork }": types.NetworksDocument,
    "mutation SetNetworks($id: ID!, $cidrs: [String!]!) { setAllowedNetworks(workshopId: $id, cidrs: $cidrs) { allowedNetworks } }": types.SetNetworksDocument,
    "query Play($id: ID!) { workshop(id: $id) { id friendsAIs } reflectionTally(workshopId: $id) { answer count groups } }": types.PlayDocument,
    "mutation SetFriendsAIs($id: ID!, $on: Boolean!) { setFriendsAIs(workshopId: $id, enabled: $on) { id friendsAIs } }": types.SetFriendsAIsDocument,
    "query TakeHomeRuns($groupId: ID!) {\n  groupDetail(groupId: $groupId) { runs { id status testAccuracy finishedAt exportUrl } } }": types.TakeHomeRunsDocument,
    "mutation AdminLogin($email: String, $password: String!) { adminLogin(email: $email, password: $password) }": types.AdminLoginDocument,
    "mutation Logout { logout }": types.LogoutDocument,
    "query WhoAmI { isAdmin currentInstructor { id email isOrgAdmin locked hasPassword } }": types.WhoAmIDocument,
    "query Instructors { instructors { id email isOrgAdmin locked hasPassword createdAt } }": types.InstructorsDocument,
    "mutation Invite($email: String!, $orgAdmin: Boolean) { inviteInstructor(email: $email, orgAdmin: $orgAdmin) }": types.InviteDocument,
    "mutation Unlock($email: String!) { unlockInstructor(email: $email) { id locked } }": types.UnlockDocument,
    "mutation Reset($email: String!) { resetInstructorPassword(email: $email) }": types.ResetDocument,
    "mutation Accept($token: String!, $password: String!) { acceptInvite(token: $token, password: $password) }": types.AcceptDocument,
    "mutation ChangePassword($currentPassword: String!, $newPassword: String!) {\n       changePassword(currentPassword: $currentPassword, newPassword: $newPassword) }": types.ChangePasswordDocument,
    "query Sessions { adminSessions { id createdAt userAgent current } }": types.SessionsDocument,
    "mutation EndSession($id: ID!) { endAdminSession(id: $id) }": types.EndSessionDocument,
    "mutation AddOwner($workshopId: ID!, $email: String!) { addWorkshopOwner(workshopId: $workshopId, email: $email) { id owners } }": types.AddOwnerDocument,
    "query Owners($id: ID) { workshop(id: $id) { id owners } }": types.OwnersDocument,
    "query Workshops { workshops { id title phase } }": types.WorkshopsDocument,
    "fragment AdminWorkshopFields on Workshop {\n  id title phase minPhotosPerClass scoresHidden classes { id name emoji } groups { id name emoji color number loginUrl photoCount } }": types.AdminWorkshopFieldsFragmentDoc,
    "query Workshop($id: ID) { workshop(id: $id) { ...AdminWorkshopFields } }": types.WorkshopDocument,
    "mutation Create($title: String!, $classes: [String!]!, $groups: Int!, $emojis: [String]) {\n       createWorkshop(title: $title, classes: $classes, groups: $groups, emojis: $emojis) { ...AdminWorkshopFields } }": types.CreateDocument,
    "mutation SetPhase($workshopId: ID!, $phase: Phase!) { setPhase(workshopId: $workshopId, phase: $phase) { id phase } }": types.SetPhaseDocument,
    "mutation UploadTest($classId: ID!, $file: Upload!) { uploadTestPhoto(classId: $classId, file: $file) { id classId url } }": types.UploadTestDocument,
    "query Log($workshopId: ID!) { experimentLog(workshopId: $workshopId) {\n       runId group { id name } mode photoCount testAccuracy createdAt } }": types.LogDocument,
    "query GroupDetail($groupId: ID!) { groupDetail(groupId: $groupId) {\n       group { id name emoji color workshop { id title classes { id name emoji } } }\n       photosPerClass { classId count }\n       runs { id status mode testAccuracy labels confusion misclassified { photoId label predicted url }\n              confusingPhotos { photoId classId predictedClassId confidence }\n              classConfidence { classId count sure accuracy } } } }": types.GroupDetailDocument,
    "query AdminPhotos($workshopId: ID!, $groupId: ID, $classId: ID) {\n       adminPhotos(workshopId: $workshopId, groupId: $groupId, classId: $classId) { id classId url } }": types.AdminPhotosDocument,
    "mutation Del($id: ID!) { adminDeletePhoto(id: $id) }": types.DelDocument,
    "mutation Purge($workshopId: ID!) { purgeWorkshop(workshopId: $workshopId) { photos trainingRuns objects } }": types.PurgeDocument,
    "query TestPhotos($workshopId: ID!) { testPhotos(workshopId: $workshopId) { id classId } }": types.TestPhotosDocument,
    "query Activity($workshopId: ID!) { groupActivity(workshopId: $workshopId) {\n       number group { id name emoji color } photoCount photosPerClass { classId count } trained bestScore\n       latestStatus lastActivityAt idle stuck attention triesRight triesWrong } }": types.ActivityDocument,
    "fragment DayFields on Workshop { id phase scoresHidden announcement { message freeze at } }": types.DayFieldsFragmentDoc,
    "query Day($id: ID) { workshop(id: $id) { ...DayFields } }": types.DayDocument,
    "mutation Hide($workshopId: ID!, $hidden: Boolean!) { setScoresHidden(workshopId: $workshopId, hidden: $hidden) { ...DayFields } }": types.HideDocument,
    "mutation Announce($workshopId: ID!, $message: String, $freeze: Boolean) {\n       announce(workshopId: $workshopId, message: $message, freeze: $freeze) { ...DayFields } }": types.AnnounceDocument,
    "mutation Reissue($groupId: ID!) { reissueCard(groupId: $groupId) }": types.ReissueDocument,
    "query TestPhotoList($workshopId: ID!) { testPhotos(workshopId: $workshopId) { id classId url } }": types.TestPhotoListDocument,
    "mutation DeleteTest($id: ID!) { deleteTestPhoto(id: $id) }": types.DeleteTestDocument,
    "query TryLog($workshopId: ID!) { tryLog(workshopId: $workshopId) { classId right wrong } }": types.TryLogDocument,
    "query LastTry($groupId: ID!) { lastTry(groupId: $groupId) {\n       group { id } photoUrl classId label confidence heatmap { width height values } at } }": types.LastTryDocument,
    "query JoinCheck { me { id name emoji } isAdmin }": types.JoinCheckDocument,
    "mutation Export($runId: ID!) { exportModel(runId: $runId) { id } }": types.ExportDocument,
    "query ExportLinks { trainingRuns { id status exportUrl } }": types.ExportLinksDocument,
    "fragment GroupFields on Group { id name emoji color number }": types.GroupFieldsFragmentDoc,
    "fragment WorkshopFields on Workshop {\n  id title phase minPhotosPerClass scoresHidden announcement { message freeze at } classes { id name emoji } }": types.WorkshopFieldsFragmentDoc,
    "fragment PhotoFields on Photo { id classId url width height hints }": types.PhotoFieldsFragmentDoc,
    "fragment RunFields on TrainingRun {\n  id status progress trainAccuracy testAccuracy testCorrect testTotal error errorCode mode createdAt\n  confusingPhotos { photoId classId predictedClassId confidence } classConfidence { classId count sure accuracy } }": types.RunFieldsFragmentDoc,
    "mutation Login($token: String!) { login(token: $token) { ...GroupFields } }": types.LoginDocument,
    "query Session { me { ...GroupFields } workshop { ...WorkshopFields } }": types.SessionDocument,
    "query Start { me { ...GroupFields } workshop { ...WorkshopFields } photos { ...PhotoFields } }": types.StartDocument,
    "query Photos($classId: ID) { photos(classId: $classId) { ...PhotoFields } }": types.PhotosDocument,
    "mutation Move($id: ID!, $classId: ID!) { movePhoto(id: $id, classId: $classId) { ...PhotoFields } }": types.MoveDocument,
    "query Pairs { classPairHints { classIds code } }": types.PairsDocument,
    "mutation Delete($id: ID!) { deletePhoto(id: $id) }": types.DeleteDocument,
    "mutation Upload($classId: ID!, $file: Upload!) {\n  uploadPhoto(classId: $classId, file: $file) { id classId url width height } }": types.UploadDocument,
    "mutation Train($mode: TrainingMode) { train(mode: $mode) { ...RunFields } }": types.TrainDocument,
    "query Runs { trainingRuns { ...RunFields } }": types.RunsDocument,
    "query ConfusingHeatmap($run: ID!, $photo: ID) { trainingRun(id: $run) { id\n  confusingPhotos(photoId: $photo) { photoId heatmapClassId heatmap { width height values } } } }": types.ConfusingHeatmapDocument,
    "mutation Predict($file: Upload!) {\n  predict(file: $file) { label classId confidence scores { classId label confidence }\n                         heatmap { width height values } } }": types.PredictDocument,
    "query Scoreboard($workshopId: ID) { scoreboard(workshopId: $workshopId) {\n  rank group { ...GroupFields } testAccuracy photoCount status } }": types.ScoreboardDocument,
    "mutation Keep($id: ID!) { keepPhoto(id: $id) { ...PhotoFields } }": types.KeepDocument,
    "mutation Answer($correct: Boolean!, $classId: ID) { answerTry(correct: $correct, classId: $classId) }": types.AnswerDocument,
    "query Friends { friends { id name emoji color } }": types.FriendsDocument,
    "mutation PredictWith($file: Upload!, $groupId: ID) {\n  predict(file: $file, groupId: $groupId) { label classId confidence groupId scores { classId label confidence }\n    heatmap { width height values } reaction { emoji sound words } } }": types.PredictWithDocument,
    "query Reactions { workshop { id classes { id reaction { emoji sound words } } } }": types.ReactionsDocument,
    "mutation React($classId: ID!, $emoji: String, $sound: String, $words: String) {\n       setClassReaction(classId: $classId, emoji: $emoji, sound: $sound, words: $words) { emoji sound words } }": types.ReactDocument,
    "query Learned($id: ID!) { trainingRun(id: $id) { id status testAccuracy crossValidatedAccuracy reflection\n       classConfidence { classId count sure accuracy }\n       confusingPhotos { photoId classId predictedClassId confidence }\n       classHeatmaps { classId photoId heatmapClassId heatmap { width height values } } } }": types.LearnedDocument,
    "mutation Reflect($runId: ID!, $answer: ReflectionAnswer!) { answerReflection(runId: $runId, answer: $answer) }": types.ReflectDocument,
};

/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "query Networks($id: ID) { workshop(id: $id) { allowedNetworks } myNetwork }"): typeof import('./graphql').NetworksDocument;
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "mutation SetNetworks($id: ID!, $cidrs: [String!]!) { setAllowedNetworks(workshopId: $id, cidrs: $cidrs) { allowedNetworks } }"): typeof import('./graphql').SetNetworksDocument;
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "query Play($id: ID!) { workshop(id: $id) { id friendsAIs } reflectionTally(workshopId: $id) { answer count groups } }"): typeof import('./graphql').PlayDocument;
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "mutation SetFriendsAIs($id: ID!, $on: Boolean!) { setFriendsAIs(workshopId: $id, enabled: $on) { id friendsAIs } }"): typeof import('./graphql').SetFriendsAIsDocument;
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "query TakeHomeRuns($groupId: ID!) {\n  groupDetail(groupId: $groupId) { runs { id status testAccuracy finishedAt exportUrl } } }"): typeof import('./graphql').TakeHomeRunsDocument;
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "mutation AdminLogin($email: String, $password: String!) { adminLogin(email: $email, password: $password) }"): typeof import('./graphql').AdminLoginDocument;
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "mutation Logout { logout }"): typeof import('./graphql').LogoutDocument;
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "query WhoAmI { isAdmin currentInstructor { id email isOrgAdmin locked hasPassword } }"): typeof import('./graphql').WhoAmIDocument;
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "query Instructors { instructors { id email isOrgAdmin locked hasPassword createdAt } }"): typeof import('./graphql').InstructorsDocument;
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "mutation Invite($email: String!, $orgAdmin: Boolean) { inviteInstructor(email: $email, orgAdmin: $orgAdmin) }"): typeof import('./graphql').InviteDocument;
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "mutation Unlock($email: String!) { unlockInstructor(email: $email) { id locked } }"): typeof import('./graphql').UnlockDocument;
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "mutation Reset($email: String!) { resetInstructorPassword(email: $email) }"): typeof import('./graphql').ResetDocument;
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "mutation Accept($token: String!, $password: String!) { acceptInvite(token: $token, password: $password) }"): typeof import('./graphql').AcceptDocument;
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "mutation ChangePassword($currentPassword: String!, $newPassword: String!) {\n       changePassword(currentPassword: $currentPassword, newPassword: $newPassword) }"): typeof import('./graphql').ChangePasswordDocument;
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "query Sessions { adminSessions { id createdAt userAgent current } }"): typeof import('./graphql').SessionsDocument;
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "mutation EndSession($id: ID!) { endAdminSession(id: $id) }"): typeof import('./graphql').EndSessionDocument;
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "mutation AddOwner($workshopId: ID!, $email: String!) { addWorkshopOwner(workshopId: $workshopId, email: $email) { id owners } }"): typeof import('./graphql').AddOwnerDocument;
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "query Owners($id: ID) { workshop(id: $id) { id owners } }"): typeof import('./graphql').OwnersDocument;
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "query Workshops { workshops { id title phase } }"): typeof import('./graphql').WorkshopsDocument;
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "fragment AdminWorkshopFields on Workshop {\n  id title phase minPhotosPerClass scoresHidden classes { id name emoji } groups { id name emoji color number loginUrl photoCount } }"): typeof import('./graphql').AdminWorkshopFieldsFragmentDoc;
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "query Workshop($id: ID) { workshop(id: $id) { ...AdminWorkshopFields } }"): typeof import('./graphql').WorkshopDocument;
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "mutation Create($title: String!, $classes: [String!]!, $groups: Int!, $emojis: [String]) {\n       createWorkshop(title: $title, classes: $classes, groups: $groups, emojis: $emojis) { ...AdminWorkshopFields } }"): typeof import('./graphql').CreateDocument;
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "mutation SetPhase($workshopId: ID!, $phase: Phase!) { setPhase(workshopId: $workshopId, phase: $phase) { id phase } }"): typeof import('./graphql').SetPhaseDocument;
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "mutation UploadTest($classId: ID!, $file: Upload!) { uploadTestPhoto(classId: $classId, file: $file) { id classId url } }"): typeof import('./graphql').UploadTestDocument;
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "query Log($workshopId: ID!) { experimentLog(workshopId: $workshopId) {\n       runId group { id name } mode photoCount testAccuracy createdAt } }"): typeof import('./graphql').LogDocument;
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "query GroupDetail($groupId: ID!) { groupDetail(groupId: $groupId) {\n       group { id name emoji color workshop { id title classes { id name emoji } } }\n       photosPerClass { classId count }\n       runs { id status mode testAccuracy labels confusion misclassified { photoId label predicted url }\n              confusingPhotos { photoId classId predictedClassId confidence }\n              classConfidence { classId count sure accuracy } } } }"): typeof import('./graphql').GroupDetailDocument;
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "query AdminPhotos($workshopId: ID!, $groupId: ID, $classId: ID) {\n       adminPhotos(workshopId: $workshopId, groupId: $groupId, classId: $classId) { id classId url } }"): typeof import('./graphql').AdminPhotosDocument;
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "mutation Del($id: ID!) { adminDeletePhoto(id: $id) }"): typeof import('./graphql').DelDocument;
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "mutation Purge($workshopId: ID!) { purgeWorkshop(workshopId: $workshopId) { photos trainingRuns objects } }"): typeof import('./graphql').PurgeDocument;
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "query TestPhotos($workshopId: ID!) { testPhotos(workshopId: $workshopId) { id classId } }"): typeof import('./graphql').TestPhotosDocument;
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "query Activity($workshopId: ID!) { groupActivity(workshopId: $workshopId) {\n       number group { id name emoji color } photoCount photosPerClass { classId count } trained bestScore\n       latestStatus lastActivityAt idle stuck attention triesRight triesWrong } }"): typeof import('./graphql').ActivityDocument;
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "fragment DayFields on Workshop { id phase scoresHidden announcement { message freeze at } }"): typeof import('./graphql').DayFieldsFragmentDoc;
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "query Day($id: ID) { workshop(id: $id) { ...DayFields } }"): typeof import('./graphql').DayDocument;
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "mutation Hide($workshopId: ID!, $hidden: Boolean!) { setScoresHidden(workshopId: $workshopId, hidden: $hidden) { ...DayFields } }"): typeof import('./graphql').HideDocument;
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "mutation Announce($workshopId: ID!, $message: String, $freeze: Boolean) {\n       announce(workshopId: $workshopId, message: $message, freeze: $freeze) { ...DayFields } }"): typeof import('./graphql').AnnounceDocument;
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "mutation Reissue($groupId: ID!) { reissueCard(groupId: $groupId) }"): typeof import('./graphql').ReissueDocument;
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "query TestPhotoList($workshopId: ID!) { testPhotos(workshopId: $workshopId) { id classId url } }"): typeof import('./graphql').TestPhotoListDocument;
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "mutation DeleteTest($id: ID!) { deleteTestPhoto(id: $id) }"): typeof import('./graphql').DeleteTestDocument;
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "query TryLog($workshopId: ID!) { tryLog(workshopId: $workshopId) { classId right wrong } }"): typeof import('./graphql').TryLogDocument;
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "query LastTry($groupId: ID!) { lastTry(groupId: $groupId) {\n       group { id } photoUrl classId label confidence heatmap { width height values } at } }"): typeof import('./graphql').LastTryDocument;
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "query JoinCheck { me { id name emoji } isAdmin }"): typeof import('./graphql').JoinCheckDocument;
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "mutation Export($runId: ID!) { exportModel(runId: $runId) { id } }"): typeof import('./graphql').ExportDocument;
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "query ExportLinks { trainingRuns { id status exportUrl } }"): typeof import('./graphql').ExportLinksDocument;
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "fragment GroupFields on Group { id name emoji color number }"): typeof import('./graphql').GroupFieldsFragmentDoc;
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "fragment WorkshopFields on Workshop {\n  id title phase minPhotosPerClass scoresHidden announcement { message freeze at } classes { id name emoji } }"): typeof import('./graphql').WorkshopFieldsFragmentDoc;
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "fragment PhotoFields on Photo { id classId url width height hints }"): typeof import('./graphql').PhotoFieldsFragmentDoc;
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "fragment RunFields on TrainingRun {\n  id status progress trainAccuracy testAccuracy testCorrect testTotal error errorCode mode createdAt\n  confusingPhotos { photoId classId predictedClassId confidence } classConfidence { classId count sure accuracy } }"): typeof import('./graphql').RunFieldsFragmentDoc;
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "mutation Login($token: String!) { login(token: $token) { ...GroupFields } }"): typeof import('./graphql').LoginDocument;
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "query Session { me { ...GroupFields } workshop { ...WorkshopFields } }"): typeof import('./graphql').SessionDocument;
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "query Start { me { ...GroupFields } workshop { ...WorkshopFields } photos { ...PhotoFields } }"): typeof import('./graphql').StartDocument;
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "query Photos($classId: ID) { photos(classId: $classId) { ...PhotoFields } }"): typeof import('./graphql').PhotosDocument;
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "mutation Move($id: ID!, $classId: ID!) { movePhoto(id: $id, classId: $classId) { ...PhotoFields } }"): typeof import('./graphql').MoveDocument;
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "query Pairs { classPairHints { classIds code } }"): typeof import('./graphql').PairsDocument;
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "mutation Delete($id: ID!) { deletePhoto(id: $id) }"): typeof import('./graphql').DeleteDocument;
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "mutation Upload($classId: ID!, $file: Upload!) {\n  uploadPhoto(classId: $classId, file: $file) { id classId url width height } }"): typeof import('./graphql').UploadDocument;
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "mutation Train($mode: TrainingMode) { train(mode: $mode) { ...RunFields } }"): typeof import('./graphql').TrainDocument;
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "query Runs { trainingRuns { ...RunFields } }"): typeof import('./graphql').RunsDocument;
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "query ConfusingHeatmap($run: ID!, $photo: ID) { trainingRun(id: $run) { id\n  confusingPhotos(photoId: $photo) { photoId heatmapClassId heatmap { width height values } } } }"): typeof import('./graphql').ConfusingHeatmapDocument;
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "mutation Predict($file: Upload!) {\n  predict(file: $file) { label classId confidence scores { classId label confidence }\n                         heatmap { width height values } } }"): typeof import('./graphql').PredictDocument;
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "query Scoreboard($workshopId: ID) { scoreboard(workshopId: $workshopId) {\n  rank group { ...GroupFields } testAccuracy photoCount status } }"): typeof import('./graphql').ScoreboardDocument;
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "mutation Keep($id: ID!) { keepPhoto(id: $id) { ...PhotoFields } }"): typeof import('./graphql').KeepDocument;
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "mutation Answer($correct: Boolean!, $classId: ID) { answerTry(correct: $correct, classId: $classId) }"): typeof import('./graphql').AnswerDocument;
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "query Friends { friends { id name emoji color } }"): typeof import('./graphql').FriendsDocument;
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "mutation PredictWith($file: Upload!, $groupId: ID) {\n  predict(file: $file, groupId: $groupId) { label classId confidence groupId scores { classId label confidence }\n    heatmap { width height values } reaction { emoji sound words } } }"): typeof import('./graphql').PredictWithDocument;
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "query Reactions { workshop { id classes { id reaction { emoji sound words } } } }"): typeof import('./graphql').ReactionsDocument;
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "mutation React($classId: ID!, $emoji: String, $sound: String, $words: String) {\n       setClassReaction(classId: $classId, emoji: $emoji, sound: $sound, words: $words) { emoji sound words } }"): typeof import('./graphql').ReactDocument;
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "query Learned($id: ID!) { trainingRun(id: $id) { id status testAccuracy crossValidatedAccuracy reflection\n       classConfidence { classId count sure accuracy }\n       confusingPhotos { photoId classId predictedClassId confidence }\n       classHeatmaps { classId photoId heatmapClassId heatmap { width height values } } } }"): typeof import('./graphql').LearnedDocument;
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "mutation Reflect($runId: ID!, $answer: ReflectionAnswer!) { answerReflection(runId: $runId, answer: $answer) }"): typeof import('./graphql').ReflectDocument;


export function graphql(source: string) {
  return (documents as any)[source] ?? {};
}
