export { HandleMap, HANDLE_MAP_MAX_SIZE } from './handle-map.js';
export { HandleQueue, type HandleQueueDescriptor } from './handle-queue.js';
export { createHandleQueue, attachHandleQueue, type HandleQueueOptions } from './create-queue.js';
export { MAX_QUEUE_CAPACITY, type QueueMode } from './queue-layout.js';
