export type { ArrayAccessor, ScalarAccessor } from './access.js';
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
export { array, ArrayType, SCALAR_SIZES, SCALARS, type ScalarInputs, type ScalarType, type ScalarValues } from './scalars.js';
