import pg from 'pg';
import { checkDatabase } from './src/db/check.js';
import { roleNames } from './src/db/roles.js';
const c = new pg.Client({ connectionString: process.argv[2]! });
await c.connect();
console.log(await checkDatabase(c, roleNames(process.argv[3]!)));
await c.end();
