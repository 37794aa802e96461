/**
 * Testing tools for Keel users: the scripted model (a real HTTP server that speaks Anthropic's
 * Messages API from scenarios) and the Temporal dev server provisioning used by Keel's own tests.
 */
export * from '../scripted-model';
export { startDevServer, findTemporalCli, ensureSearchAttributes, type DevServer, type DevServerOptions } from '../devserver';
