/** Runs suites of pure code without starting Temporal or PostgreSQL: `npx jest -c test/support/pure.jest.config.js test/<suite>`. */
const base = require('../../jest.config.js');
module.exports = { ...base, rootDir: '../..', globalSetup: undefined, globalTeardown: undefined };
