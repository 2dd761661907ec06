import { headers } from "next/headers";
import { applyThemeChoice, THEME_STORAGE_KEY } from "./apply-theme";

// Sets the stored theme on <html> while the page is still being parsed, so a dark page never
// flashes light. Inline, it needs the page's CSP nonce, which proxy.ts hands over as x-nonce.
export async function ThemeScript() {
  const nonce = (await headers()).get("x-nonce") ?? undefined;
  const source = `(${applyThemeChoice.toString()})(${JSON.stringify(THEME_STORAGE_KEY)})`;
  return <script nonce={nonce} dangerouslySetInnerHTML={{ __html: source }} />;
}
