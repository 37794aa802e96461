export { getOrder, listOrders, lookupCustomer, supportTools } from './support/support-tools';
export { CUSTOMERS, ORDERS, type CustomerRecord, type OrderRecord } from './support/records';
