import { main } from '../cli/src/main.js';
process.exitCode = await main(process.argv.slice(2));
