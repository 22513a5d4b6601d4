// @mempool/collections' suite in Chromium: the HandleMap (fast-check model included) and the
// queue's one-thread behaviour, which need no workers. The worker stress test is Node's.
import '../../../packages/collections/test/handle-map.test.js';
import '../../../packages/collections/test/handle-queue.test.js';
