#!/usr/bin/env node
import { UsageError } from '../client/cli';
import { runKeelCli } from './cli';

const debug = process.argv.includes('--debug') || Boolean(process.env.KEEL_DEBUG);
runKeelCli(process.argv.slice(2)).then(
  (code) => process.exit(code),
  (error: unknown) => {
    if (debug) console.error(error);
    else console.error(error instanceof UsageError ? error.message : error instanceof Error ? `${error.name}: ${error.message}` : error);
    process.exit(error instanceof UsageError ? 2 : 1);
  },
);
