/** OpenAPI v3 documents for kubectl, and the field validation that goes with them. */
export { openapiIndex, openapiForGroupVersion, openapiDocumentText, openapiPath, type OpenAPIDocument } from "./document.js";
export { findUnknownFields, strictDecodingError, unknownFieldWarnings } from "./strict.js";
export { validateObject, validateSchema } from "./validate.js";
export { Scale, Eviction, Binding } from "./subresource-kinds.js";
