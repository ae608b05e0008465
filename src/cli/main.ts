/** The `bookshift` command line: dispatches sub-commands (today: solve). */
import { runSolveCommand, SOLVE_USAGE } from './solve-command.ts';

export async function main(argv: string[]): Promise<number> {
  const io = {
    stdout: (s: string) => process.stdout.write(s),
    stderr: (s: string) => process.stderr.write(s),
  };
  const [command, ...rest] = argv;
  if (command === 'solve') return runSolveCommand(rest, io);
  if (command === undefined || command === 'help' || command === '--help' || command === '-h') {
    io.stdout(
      `bookshift <command>\n\nCommands:\n  solve   balance a book of accounts from CSV files\n\n${SOLVE_USAGE}\n`,
    );
    return command === undefined ? 2 : 0;
  }
  io.stderr(`unknown command "${command}"; try: bookshift solve --help\n`);
  return 2;
}
