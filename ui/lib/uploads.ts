// Documents too large for a request body (the gateway takes 10 MB) go in three steps: open an
// upload (POST /apis/uploads), PUT the file to the URL it answers (straight to S3, with progress),
// then submit it (POST /apis/uploads/{uploadId}/submission) - the same submission as POST /apis.
import { api, asProblem, type Problem, type Schemas } from "./api/client";
import type { MediaType } from "./documents";

/** Files above this are uploaded rather than sent as the body (and not loaded into the page). */
export const UPLOAD_ABOVE_BYTES = 5 * 1024 * 1024;

export type SubmitQuery = { team?: string; apiId?: string; version?: string };
type Outcome = { submission: Schemas["Submission"] } | { problem: Problem };

export async function submitLarge(
  file: File,
  mediaType: MediaType,
  query: SubmitQuery,
  onProgress: (sent: number, total: number) => void,
): Promise<Outcome> {
  const opened = await api.POST("/apis/uploads", { body: { size: file.size, contentType: mediaType } });
  if (!opened.data) return { problem: asProblem(opened.error, opened.response) };
  const put = await putFile(opened.data.uploadUrl, opened.data.headers, file, onProgress);
  if (put !== null) return { problem: put };
  const submitted = await api.POST("/apis/uploads/{uploadId}/submission", {
    params: { path: { uploadId: opened.data.uploadId }, query },
  });
  if (!submitted.data) return { problem: asProblem(submitted.error, submitted.response) };
  return { submission: submitted.data };
}

/** PUT with upload progress (fetch has none); null when stored, a problem otherwise. */
function putFile(
  url: string,
  headers: Record<string, string>,
  file: File,
  onProgress: (sent: number, total: number) => void,
): Promise<Problem | null> {
  return new Promise((resolve) => {
    const request = new XMLHttpRequest();
    request.open("PUT", url);
    // Content-Length is the browser's to set (from the file); the rest is what the URL was signed for.
    for (const [name, value] of Object.entries(headers)) {
      if (name.toLowerCase() !== "content-length") request.setRequestHeader(name, value);
    }
    request.upload.onprogress = (event) => onProgress(event.loaded, event.total || file.size);
    request.onload = () =>
      resolve(
        request.status >= 200 && request.status < 300
          ? null
          : {
              type: "about:blank",
              title: "Upload refused",
              status: request.status,
              detail: `The storage refused the file (HTTP ${request.status}); open the upload again and retry.`,
            },
      );
    request.onerror = () =>
      resolve({
        type: "about:blank",
        title: "Upload failed",
        status: 0,
        detail: "The file could not be sent to storage. Check your connection, then try again.",
      });
    request.send(file);
  });
}
