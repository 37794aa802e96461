export { demoPayments, supportAgent } from './support-agent';
