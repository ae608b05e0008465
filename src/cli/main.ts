/** The `bookshift` command line: dispatches sub-commands (solve, and the admin commands that set up an install). */
import { ADMIN_USAGE, adminAction, runAdminCommand } from './admin-commands.ts';
import { runSolveCommand, SOLVE_USAGE } from './solve-command.ts';

export async function main(argv: string[]): Promise<number> {
  const io = {
    stdout: (s: string) => process.stdout.write(s),
    stderr: (s: string) => process.stderr.write(s),
  };
  const [command, sub, ...rest] = argv;
  if (command === 'solve') return runSolveCommand(argv.slice(1), io);
  if (command !== undefined) {
    const action = adminAction(command, sub);
    if (action) return runAdminCommand(action, action === 'migrate' ? argv.slice(1) : rest, io);
  }
  if (command === undefined || command === 'help' || command === '--help' || command === '-h') {
    io.stdout(
      'bookshift <command>\n\nCommands:\n  solve            balance a book of accounts from CSV files\n' +
        '  migrate          apply the database migrations\n  org create       create an org\n' +
        "  user add         add a person to an org (prints a new user's password once)\n" +
        `  api-key create   create an API key for another system (printed once)\n\n${SOLVE_USAGE}\n\n${ADMIN_USAGE}\n`,
    );
    return command === undefined ? 2 : 0;
  }
  io.stderr(`unknown command "${argv.slice(0, 2).join(' ')}"; try: bookshift --help\n`);
  return 2;
}
