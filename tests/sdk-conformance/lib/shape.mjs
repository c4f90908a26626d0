import assert from 'node:assert/strict';

const isoDate = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?(Z|[+-]\d{2}:\d{2})$/;

function check(value, type) {
  switch (type) {
    case 'any': return true;
    case 'null': return value === null;
    case 'string': return typeof value === 'string';
    case 'date': return typeof value === 'string' && isoDate.test(value) && !Number.isNaN(Date.parse(value));
    case 'number': return typeof value === 'number' && Number.isFinite(value);
    case 'integer': return Number.isInteger(value);
    case 'boolean': return typeof value === 'boolean';
    case 'array': return Array.isArray(value);
    case 'object': return value !== null && typeof value === 'object' && !Array.isArray(value);
    default: return value === type.slice(1, -1) && type.startsWith('"');
  }
}

/**
 * Asserts that obj has the fields an SDK's typings promise. spec: { field: 'string' | 'date|null' | '?number' | ... }.
 * A leading '?' makes the field optional (absent or undefined allowed); '|' separates alternatives.
 */
export function assertShape(obj, spec, what) {
  assert.ok(obj !== null && typeof obj === 'object', `${what}: expected an object, got ${JSON.stringify(obj)}`);
  for (const [field, rawType] of Object.entries(spec)) {
    const optional = rawType.startsWith('?');
    const types = (optional ? rawType.slice(1) : rawType).split('|');
    const value = obj[field];
    if (value === undefined) {
      assert.ok(optional, `${what}: field '${field}' (${rawType}) is missing in ${JSON.stringify(obj).slice(0, 500)}`);
      continue;
    }
    assert.ok(types.some((t) => check(value, t)), `${what}: field '${field}' should be ${rawType}, got ${JSON.stringify(value)}`);
  }
}
