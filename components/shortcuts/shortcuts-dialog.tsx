"use client";

import { Fragment, useEffect, useRef } from "react";
import { isShortcutPress, SHORTCUT_GROUPS, type Shortcut } from "./shortcut-list";

// "?" opens a modal list of every shortcut. A native <dialog> shown modally traps focus, closes on
// Esc and gives focus back to where it was, with nothing of our own to get wrong.

export function Keys({ shortcut }: { shortcut: Shortcut }) {
  return shortcut.keys.map((key, index) => (
    <Fragment key={key}>
      {index > 0 ? " " : null}
      <kbd className="rounded border px-1 font-mono">{key}</kbd>
    </Fragment>
  ));
}

export function ShortcutsDialog() {
  const dialog = useRef<HTMLDialogElement>(null);
  useEffect(() => {
    const onKey = (event: KeyboardEvent) => {
      if (event.key !== "?" || !isShortcutPress(event) || dialog.current?.open) return;
      event.preventDefault();
      dialog.current?.showModal();
    };
    window.addEventListener("keydown", onKey);
    return () => window.removeEventListener("keydown", onKey);
  }, []);

  return (
    <dialog
      ref={dialog}
      aria-labelledby="shortcuts-title"
      className="m-auto max-w-md rounded border border-slate-300 bg-white p-4 text-sm text-slate-900 shadow-xl backdrop:bg-slate-900/30 dark:backdrop:bg-black/60"
      // Esc closes the dialog only: it must not also close a comparison behind it.
      onKeyDown={(event) => event.stopPropagation()}
    >
      <div className="mb-2 flex items-center justify-between gap-4">
        {/* Not "Keyboard shortcuts": that names the explorer's hint line for the version keys. */}
        <h2 id="shortcuts-title" className="font-semibold">
          Shortcuts
        </h2>
        <button type="button" className="text-slate-500 hover:text-slate-900" onClick={() => dialog.current?.close()}>
          Close
        </button>
      </div>
      {SHORTCUT_GROUPS.map((group) => (
        <section key={group.title} aria-label={group.title} className="mt-2">
          <h3 className="text-xs font-semibold uppercase tracking-wide text-slate-500">{group.title}</h3>
          <dl className="mt-1 grid grid-cols-[auto_1fr] gap-x-3 gap-y-0.5">
            {group.shortcuts.map((shortcut) => (
              <Fragment key={shortcut.keys.join(" ")}>
                <dt className="text-right">
                  <Keys shortcut={shortcut} />
                </dt>
                <dd>{shortcut.action}</dd>
              </Fragment>
            ))}
          </dl>
        </section>
      ))}
    </dialog>
  );
}
