export { getOrder, listOrders, lookupCustomer, supportTools } from './support/support-tools';
export { CUSTOMERS, ORDERS, type CustomerRecord, type OrderRecord } from './support/records';
export { InMemoryPaymentProvider, type PaymentRecord } from './payments/payment-provider';
export { processPaymentTool } from './payments/payment-tools';
