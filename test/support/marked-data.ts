/** The text inside a tool output wrapped by `markAsData` (or the text itself when it is not wrapped). */
export function unmarked(text: string): string {
  return /^<<<KEEL_DATA_BEGIN id=\w+ source="[^"]*">>>\n([\s\S]*)\n<<<KEEL_DATA_END id=\w+>>>$/.exec(text)?.[1] ?? text;
}
