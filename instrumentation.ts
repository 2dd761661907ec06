// Next calls register() once when the server starts: the folder index starts building then.
export async function register(): Promise<void> {
  if (process.env.NEXT_RUNTIME !== "nodejs") return;
  const { warmUpFolderIndex } = await import("./lib/etcd/folder-index/warm-up");
  warmUpFolderIndex();
}
