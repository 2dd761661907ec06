// Every keyboard shortcut etcdlens answers, in one list: the "?" dialog and the explorer's hint
// line both render from it, so a shortcut added to a handler is listed once, here.

export type Shortcut = { keys: string[]; action: string };
export type ShortcutGroup = { title: string; shortcuts: Shortcut[] };

export const HELP_SHORTCUT: Shortcut = { keys: ["?"], action: "all shortcuts" };

export const GLOBAL_SHORTCUTS: ShortcutGroup = {
  title: "Anywhere",
  shortcuts: [{ keys: ["/"], action: "go to key (focus the jump box)" }, HELP_SHORTCUT, { keys: ["Esc"], action: "close this list" }],
};

export const TREE_SHORTCUTS: ShortcutGroup = {
  title: "Key tree",
  shortcuts: [
    { keys: ["↓", "↑"], action: "next / previous row" },
    { keys: ["→"], action: "open a folder, or go to its first child" },
    { keys: ["←"], action: "close a folder, or go to its parent" },
    { keys: ["Enter"], action: "open the key or folder" },
    { keys: ["Home", "End"], action: "first / last row" },
  ],
};

export const VERSION_SHORTCUTS: ShortcutGroup = {
  title: "Versions of a key",
  shortcuts: [
    { keys: ["["], action: "older version" },
    { keys: ["]"], action: "newer version" },
    { keys: ["c"], action: "compare with previous" },
  ],
};

export const COMPARISON_SHORTCUTS: ShortcutGroup = {
  title: "Comparing two versions",
  shortcuts: [
    { keys: ["d"], action: "split / unified" },
    { keys: ["Esc"], action: "close comparison" },
  ],
};

export const SHORTCUT_GROUPS: ShortcutGroup[] = [GLOBAL_SHORTCUTS, TREE_SHORTCUTS, VERSION_SHORTCUTS, COMPARISON_SHORTCUTS];

/** Whether a key press belongs to what the user is typing, so no shortcut may take it. */
export function isTypingIn(target: EventTarget | null): boolean {
  return target instanceof HTMLElement && (target.isContentEditable || ["INPUT", "TEXTAREA", "SELECT"].includes(target.tagName));
}

/** Whether a key press can be a shortcut: no modifier other than Shift, and not typed into a field. */
export function isShortcutPress(event: KeyboardEvent): boolean {
  return !(event.metaKey || event.ctrlKey || event.altKey || event.defaultPrevented || isTypingIn(event.target));
}
