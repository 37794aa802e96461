export { supportAgent } from './support-agent';
