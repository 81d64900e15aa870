/** Label and field selectors: parsing, matching, printing. */
export {
  type LabelMatcher,
  type LabelOperator,
  type LabelRequirement,
  everything,
  formatLabelSelector,
  formatLabels,
  labelSelectorFromObject,
  labelSelectorToString,
  newRequirement,
} from "./labels.js";
export { parseLabelSelector } from "./label-parser.js";
export {
  type FieldMatcher,
  type FieldRequirement,
  escapeFieldValue,
  fieldSelectorFromSet,
  parseFieldSelector,
  unescapeFieldValue,
} from "./fields.js";
export { fieldValue } from "./field-value.js";
export { checkFieldSelector, supportedFieldLabels } from "./field-labels.js";
