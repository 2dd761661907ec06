import "server-only";
import { getCluster } from "../client";
import { getFolderIndex } from "./folder-index";

/**
 * Starts building the folder index as the server boots, so that on a large cluster the first
 * person to open the tree waits for what is left of one keys-only pass, not all of it. Failure
 * (etcd unreachable, misconfigured) is left for the first listing to report and retry.
 */
export function warmUpFolderIndex(): void {
  try {
    void getFolderIndex(getCluster())
      .acquire({ buildWaitMs: 0, catchUpMs: 0 })
      .catch(() => undefined);
  } catch {
    // A configuration error: every request will answer it.
  }
}
