/** Receives one human-readable progress line at a time (no trailing newline). */
export type ProgressLog = (line: string) => void;

/** The default {@link ProgressLog}: writes each line to stderr, prefixed with `[keel dev-server]`. */
export const stderrLog: ProgressLog = (line) => {
  process.stderr.write(`[keel dev-server] ${line}\n`);
};

/** A {@link ProgressLog} that drops every line. */
export const silentLog: ProgressLog = () => {};
