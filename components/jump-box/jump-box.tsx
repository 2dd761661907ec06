"use client";

import { useQuery } from "@tanstack/react-query";
import { useEffect, useRef, useState, type KeyboardEvent } from "react";
import type { ChildDto } from "@/lib/api/dto";
import { base64ToBytes, bytesFromText, keyHref } from "@/lib/keys";
import { keyQueries } from "@/lib/queries";
import { useClusterName, useClusterRouter } from "@/components/cluster/cluster-scope";
import { useDebounced } from "@/components/ui/use-debounced";
import { isShortcutPress } from "@/components/shortcuts/shortcut-list";
import { ShortcutsDialog } from "@/components/shortcuts/shortcuts-dialog";

// "Go to key": type a key or prefix, pick from what etcd has under it, or press Enter to open
// exactly what was typed. Suggestions come from one level at a time (/api/complete). "/" anywhere
// but in a field focuses it; the box sits in every page's header, so it also hosts the "?" list.

function suggestionText(item: ChildDto): string {
  return item.hasChildren && !item.isKey ? `${item.key}/` : item.key;
}

export function JumpBox() {
  const router = useClusterRouter();
  const [text, setText] = useState("");
  const [open, setOpen] = useState(false);
  const [active, setActive] = useState(-1);
  const typed = useDebounced(text, 150);
  const suggestions = useQuery(keyQueries.complete(useClusterName(), typed));
  const items = typed.length > 0 ? (suggestions.data?.items ?? []) : [];
  const input = useRef<HTMLInputElement>(null);
  useEffect(() => {
    const onKey = (event: globalThis.KeyboardEvent) => {
      if (event.key !== "/" || !isShortcutPress(event)) return;
      event.preventDefault();
      input.current?.focus();
    };
    window.addEventListener("keydown", onKey);
    return () => window.removeEventListener("keydown", onKey);
  }, []);

  const go = (key: Uint8Array) => {
    setOpen(false);
    router.push(keyHref(key));
  };
  const choose = (item: ChildDto) => {
    if (item.hasChildren && !item.isKey) {
      // A folder: keep completing inside it.
      setText(suggestionText(item));
      setActive(-1);
      return;
    }
    go(base64ToBytes(item.keyBase64));
  };
  const onKeyDown = (event: KeyboardEvent<HTMLInputElement>) => {
    if (event.key === "ArrowDown") setActive((index) => Math.min(index + 1, items.length - 1));
    else if (event.key === "ArrowUp") setActive((index) => Math.max(index - 1, -1));
    else if (event.key === "Escape") setOpen(false);
    else if (event.key === "Enter") {
      if (active >= 0 && items[active]) choose(items[active]);
      else if (text) go(bytesFromText(text.endsWith("/") && text.length > 1 ? text.slice(0, -1) : text));
    } else return;
    event.preventDefault();
  };

  return (
    <div className="relative">
      <input
        ref={input}
        role="combobox"
        aria-label="Go to key"
        aria-expanded={open && items.length > 0}
        aria-controls="jump-box-suggestions"
        aria-autocomplete="list"
        placeholder="Go to key…  /registry/pods/"
        value={text}
        onChange={(event) => {
          setText(event.target.value);
          setOpen(true);
          setActive(-1);
        }}
        onFocus={() => setOpen(true)}
        onBlur={() => setTimeout(() => setOpen(false), 150)}
        onKeyDown={onKeyDown}
        className="w-72 rounded border border-slate-300 px-2 py-0.5 font-mono text-xs"
      />
      {open && items.length > 0 ? (
        <ul
          id="jump-box-suggestions"
          role="listbox"
          aria-label="Suggestions"
          className="absolute z-20 mt-1 max-h-80 w-96 overflow-auto rounded border border-slate-200 bg-white py-1 shadow-lg"
        >
          {items.map((item, index) => (
            <li
              key={item.keyBase64 + String(item.isKey)}
              role="option"
              aria-selected={index === active}
              onMouseDown={(event) => {
                event.preventDefault();
                choose(item);
              }}
              className={`cursor-pointer truncate px-2 py-0.5 font-mono text-xs ${index === active ? "bg-blue-100" : "hover:bg-slate-100"}`}
            >
              {suggestionText(item)}
              {item.keyCount !== undefined ? <span className="ml-2 text-slate-400">{item.keyCount.toLocaleString()} keys</span> : null}
            </li>
          ))}
        </ul>
      ) : null}
      <ShortcutsDialog />
    </div>
  );
}
