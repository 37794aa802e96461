#!/usr/bin/env -S npx tsx
import { runCli, UsageError } from './cli';

runCli(process.argv.slice(2)).then(
  (code) => process.exit(code),
  (error: unknown) => {
    console.error(error instanceof UsageError ? error.message : error instanceof Error ? `${error.name}: ${error.message}` : error);
    process.exit(error instanceof UsageError ? 2 : 1);
  },
);
