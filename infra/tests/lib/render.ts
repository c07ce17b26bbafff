// Turns one of the kit's configuration files into one for this machine: each replacement
// must find its text (so a changed file fails the check instead of silently keeping a
// production address), and no @PLACEHOLDER@ may be left over.

export function render(template: string, replacements: readonly [string, string][]): string {
  let text = template;
  for (const [from, to] of replacements) {
    if (!text.includes(from)) throw new Error(`the template has no ${JSON.stringify(from)}`);
    text = text.replaceAll(from, to);
  }
  const left = /@[A-Z_]+@/.exec(text);
  if (left !== null) throw new Error(`placeholder ${left[0]} not replaced`);
  return text;
}
