/** One line per thing worth knowing, timestamped, to stderr (the service manager's journal). */
export type Logger = (line: string) => void;

export const stderrLogger: Logger = (line) => {
  process.stderr.write(`${new Date().toISOString()} ${line}\n`);
};

export const silentLogger: Logger = () => {};
