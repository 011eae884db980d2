// The page's one upload queue, sending through the BFF's uploadPhoto mutation.
import { uploadPhoto } from "./api";
import { UploadQueue } from "./uploadQueue";

let queue: UploadQueue | null = null;

export function getUploadQueue(): UploadQueue {
  queue ??= new UploadQueue({
    uploader: (record, blob, onProgress) => uploadPhoto(record.classId, blob, onProgress).promise,
  });
  return queue;
}
