// Reads a systemd EnvironmentFile the way the kit writes them: `NAME=value` lines, `#` comments,
// blank lines; a commented `#NAME=value` line documents a setting left at that value.

export interface EnvFileEntry {
  name: string;
  value: string;
  /** False for `#NAME=value`: documented, not set. */
  active: boolean;
  /** Comment lines (without `# `) of the block above the setting, nearest last. */
  comments: string[];
}

const SETTING = /^(#?)([A-Z][A-Z0-9_]*)=(.*)$/;

export function readEnvFile(text: string): EnvFileEntry[] {
  const entries: EnvFileEntry[] = [];
  let comments: string[] = [];
  for (const line of text.split('\n')) {
    const setting = SETTING.exec(line);
    if (setting !== null) {
      const [, hash, name, value] = setting as unknown as [string, string, string, string];
      entries.push({ name, value, active: hash === '', comments: [...comments] });
    } else if (line.startsWith('#')) {
      comments.push(line.replace(/^#\s?/, ''));
    } else if (line.trim() === '') {
      comments = [];
    } else {
      throw new Error(`not a NAME=value line, comment or blank line: ${line}`);
    }
  }
  return entries;
}

/** The settings a service gets from the file: the active lines, empty values left out. */
export function activeSettings(entries: EnvFileEntry[]): Record<string, string> {
  return Object.fromEntries(
    entries.filter((e) => e.active && e.value !== '').map((e) => [e.name, e.value]),
  );
}
