/** The tool packs that ship with Keel, written only against the public registration API. */
export { createCrmTools } from './crm/crm-tools';
export { createEmailTools } from './email/email-tools';
export { createPaymentTools } from './payments/payment-tools';
export { createRecordsTools } from './records/records-tools';
export * from './mcp';
export { migrateExampleTools } from './schema';
export { CUSTOMERS, ORDERS, RECORDS, seedExampleData } from './seed-data';
