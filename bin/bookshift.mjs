#!/usr/bin/env node
// `npx bookshift ...`: registers the tsx loader (a dependency) and runs the TypeScript CLI.
import { register } from 'tsx/esm/api';

register();
const { main } = await import('../src/cli/main.ts');
const code = await main(process.argv.slice(2));
// Let stdout drain before exiting with the command's code.
process.exitCode = code;
