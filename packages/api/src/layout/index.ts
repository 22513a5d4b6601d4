export { array, ArrayType, SCALAR_SIZES, type ScalarType, type ScalarValues } from './scalars.js';
export type { ArrayAccessor, ScalarAccessor } from './accessors.js';
export {
  defineLayout,
  Layout,
  type FieldAccessor,
  type FieldInfo,
  type FieldRow,
  type Fields,
  type FieldType,
  type LayoutOptions,
  type RecordObject,
  type RecordView,
} from './layout.js';
export { allocRecords, createRecordPool } from './records.js';
