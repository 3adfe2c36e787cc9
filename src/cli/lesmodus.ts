#!/usr/bin/env node
// The `lesmodus` command. Runs as TypeScript directly (Node ≥ 22.18 strips types).
import { processIo } from './command.ts';
import { main } from './main.ts';

process.exitCode = await main(process.argv.slice(2), processIo);
