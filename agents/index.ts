export { createSupportAgent } from './support-agent';
export { DEFAULT_EMBEDDED_DATA_DIR, openSupportDatabase } from './support-database';
