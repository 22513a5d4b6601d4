// Struct layouts from their own package and, the same objects, through @mempool/api, over a pool's memory.
import assert from 'node:assert/strict';
import * as api from '@mempool/api';
import { backend } from '@mempool/backend-js';
import { array, defineLayout, Layout } from '@mempool/layout';

assert.equal(api.defineLayout, defineLayout);
assert.equal(api.Layout, Layout);
const Order = defineLayout({ price: 'f64', id: 'u32', tags: array('u8', 4), big: 'u64' }, { name: 'Order' });
const pool = api.createRecordPool(backend, Order, 4);
const o = Order.view(pool.memory);
const h = pool.alloc();
o.price.set(h, 1.5);
o.tags.set(h, 3, 7);
o.big.set(h, 5);
assert.deepEqual(Order.toObject(pool.memory, h), { price: 1.5, id: 0, tags: [0, 0, 0, 7], big: 5n });
assert.throws(() => o.price.set('64', 1), { name: 'TypeError', code: api.ErrorCode.INVALID_ARGUMENT });
pool.destroy();
console.log('layouts ok');
