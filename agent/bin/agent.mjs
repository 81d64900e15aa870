#!/usr/bin/env node
import { main } from "../dist/agent.mjs";

process.exit(await main(process.argv.slice(2)));
