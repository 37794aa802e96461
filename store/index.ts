export { ContentNotFoundError, type ContentStore } from './content-store';
export { FileContentStore } from './file-content-store';
